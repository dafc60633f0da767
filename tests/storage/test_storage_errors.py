"""An unreachable database surfaces as one StorageError code the UI can translate."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.storage import (
    DatabaseUnavailable,
    DecryptionFailed,
    KeyFileInsecure,
    KeyFileInvalid,
    StorageError,
    Store,
    VisitNotFound,
)
from tests.keys import open_store


def _open_fails(url: str, key_file: Path) -> DatabaseUnavailable:
    with pytest.raises(DatabaseUnavailable) as caught:
        open_store(url, key_file)
    assert caught.value.code == "database_unavailable"
    assert isinstance(caught.value, StorageError)
    return caught.value


def test_folder_that_cannot_be_created(tmp_path: Path, key_file: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    error = _open_fails(f"sqlite:///{blocker / 'data' / 'kiosk.db'}", key_file)
    assert "cannot be created" in str(error)
    assert str(blocker / "data" / "kiosk.db") in str(error)


def test_url_pointing_to_a_directory(tmp_path: Path, key_file: Path) -> None:
    error = _open_fails(f"sqlite:///{tmp_path}", key_file)
    assert f"{tmp_path} cannot be created (Is a directory)" in str(error)


def test_read_only_location(tmp_path: Path, key_file: Path) -> None:
    # Permission bits do not stop root, so ask SQLite itself for read-only access.
    missing = tmp_path / "ro" / "kiosk.db"
    _open_fails(f"sqlite:///file:{missing}?mode=ro&uri=true", key_file)


def test_file_that_is_not_a_database(tmp_path: Path, key_file: Path) -> None:
    garbage = tmp_path / "kiosk.db"
    garbage.write_bytes(b"this is not an SQLite database" * 100)
    error = _open_fails(f"sqlite:///{garbage}", key_file)
    assert "not a database" in str(error)


def test_invalid_url_does_not_echo_the_password(key_file: Path) -> None:
    error = _open_fails("postgresql://kiosk:hunter2@db:notaport/kiosk", key_file)
    assert "hunter2" not in str(error)
    assert error.__cause__ is None


def test_missing_driver(key_file: Path) -> None:
    error = _open_fails("nosuchdb://kiosk:hunter2@localhost/kiosk", key_file)
    assert "hunter2" not in str(error)


def test_database_lost_after_open(store: Store, db_path: Path) -> None:
    store.close()
    db_path.unlink()
    db_path.mkdir()  # replace the file by a folder: every new connection now fails
    with pytest.raises(DatabaseUnavailable):
        store.waiting_count("resident")


def test_codes_are_stable() -> None:
    codes = {
        cls.code
        for cls in (
            DatabaseUnavailable,
            VisitNotFound,
            KeyFileInsecure,
            KeyFileInvalid,
            DecryptionFailed,
        )
    }
    assert codes == {
        "database_unavailable",
        "visit_not_found",
        "key_file_insecure",
        "key_file_invalid",
        "decryption_failed",
    }
