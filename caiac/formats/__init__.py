"""Date, time and number formats per language (``FORMAT_MODULE_PATH``), on top of Django's.

Only what Django gets wrong for this lab is overridden: 24-hour times in every language, no US
date order (Arabic falls back to Django's global "m/d/Y" and "N j, Y, P" otherwise), Monday as
the first day of the week, and numbers as Morocco writes them ("1 200,00"). The ``DAY_*`` names
are this project's own (read by ``caiac.formatting``), not Django's.
"""
