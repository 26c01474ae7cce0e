# Arabic as written in Morocco: day month year, 24-hour clock, Western digits, "1 200,00".
# Django's "ar" has no DATETIME_FORMAT / SHORT_DATETIME_FORMAT (so the global US ones applied),
# a 12-hour TIME_FORMAT and a SHORT_DATE_FORMAT with right-to-left marks that scrambles ranges.
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y، H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DAY_FORMAT = "l j F Y"  # الخميس 14 مايو 2026 (Arabic has no usual short weekday names)
DAY_SHORT_FORMAT = "l j F"
WEEKDAY_FORMAT = "l"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
DAY_LONG_FORMAT = "l j F Y"  # dimanche 20 septembre 2026
