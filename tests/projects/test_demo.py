from django.core.management import call_command

from caiac.projects.models import Project, ProjectFunding


def test_the_demo_has_souss_massa_projects_and_seeding_twice_changes_nothing(db):
    call_command("seed_demo", verbosity=0)
    titles = set(Project.objects.values_list("title", flat=True))
    assert "Eau florale de rose de Kelaat M'Gouna par distillation douce" in titles
    argan = Project.objects.get(title__startswith="Huile d'argan")
    assert argan.status == "running"
    assert {p.organisation.name for p in argan.partners.all()} >= {
        "Laboratoire Phytochimie UIZ",
        "GIZ Maroc",
    }
    assert argan.bookings.exists()  # the cooperative's demo bookings are for it
    counts = (Project.objects.count(), ProjectFunding.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Project.objects.count(), ProjectFunding.objects.count()) == counts
