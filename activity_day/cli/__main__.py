"""`python -m activity_day.cli`: the activity-day command."""

from activity_day.cli import main

main()
