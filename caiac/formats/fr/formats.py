# French (default language). Django's own: "j F Y", "H:i", "d/m/Y", "," and a no-break space.
DAY_FORMAT = "D j N Y"  # jeu. 14 mai 2026
DAY_SHORT_FORMAT = "D j N"  # jeu. 14 mai
WEEKDAY_FORMAT = "l"
FIRST_DAY_OF_WEEK = 1
DAY_LONG_FORMAT = "l j F Y"  # dimanche 20 septembre 2026
