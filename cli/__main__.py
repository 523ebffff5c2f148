"""`python -m cli`: the activity-day command."""

from cli import main

main()
