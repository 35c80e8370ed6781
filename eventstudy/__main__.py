"""``python -m eventstudy``: the command-line interface."""

from eventstudy.cli import main

if __name__ == "__main__":
    main()
