"""Server time as the room's clients see it: milliseconds since the epoch."""

from datetime import datetime


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
