"""``python -m eventstudy``: the command-line interface."""

from eventstudy.cli import console

if __name__ == "__main__":
    console()
