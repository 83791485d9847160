"""Each run's folder beside the published database: its full log and quarantined rows with raw
text (kept out of the published file, which BI users get), for failed runs as well."""
from pathlib import Path


def run_folder(database: Path, run_id: str) -> Path:
    return database.with_name(f"{database.stem}.runs") / run_id


def remove_database_file(path: Path) -> None:
    """A DuckDB file and its write-ahead log."""
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
