"""Local accounts (argon2 hashes in the store) and the ``users`` / ``audit`` commands,
on both back ends."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from test_store import incidents

from geo.__main__ import main
from geo.store import users
from geo.store.auth import NotAllowed, Role, User
from geo.store.core import Store


@pytest.fixture
def store(store_url: str) -> Store:
    return Store(store_url, seed=False)


def test_an_account_signs_in_with_its_password_only(store: Store) -> None:
    users.add(store, "anna", "analyst", "correct horse")
    assert users.authenticate(store, "anna", "correct horse") == User("anna", Role.ANALYST)
    with pytest.raises(users.BadCredentials, match="wrong user name or password"):
        users.authenticate(store, "anna", "wrong horse")
    with pytest.raises(users.BadCredentials, match="wrong user name or password"):
        users.authenticate(store, "nobody", "correct horse")


def test_only_the_argon2_hash_is_stored(store: Store) -> None:
    users.add(store, "anna", "analyst", "correct horse")
    with store.engine.connect() as conn:
        (digest,) = conn.execute(sa.text("SELECT password_hash FROM users")).one()
    assert digest.startswith("$argon2id$") and "correct horse" not in digest
    assert list(users.listing(store).columns) == ["name", "role", "created_at"]


def test_names_are_unique_passwords_long_and_only_admins_manage(store: Store) -> None:
    users.add(store, "anna", "analyst", "correct horse")
    with pytest.raises(users.UserExists):
        users.add(store, "anna", "viewer", "another one")
    with pytest.raises(ValueError, match="at least 8"):
        users.add(store, "bo", "viewer", "short")
    with pytest.raises(NotAllowed):
        users.add(store, "eve", "admin", "long enough", actor=User("anna", Role.ANALYST))
    assert users.remove(store, "anna") and not users.remove(store, "anna")
    assert users.listing(store).empty
    assert store.audit()["action"].tolist() == ["user add", "user remove"]


def test_the_users_command_reads_the_password_from_stdin(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-pass\n"))
    argv = ["users", "add", "anna", "--role", "analyst", "--password-stdin", "--db", store.url]
    assert main(argv) == 0
    assert "s3cret-pass" not in capsys.readouterr().out
    assert users.authenticate(store, "anna", "s3cret-pass").role is Role.ANALYST
    assert main(["users", "list", "--db", store.url]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("anna,analyst,")
    assert main(["users", "remove", "ghost", "--db", store.url]) == 1
    assert "no user named 'ghost'" in capsys.readouterr().err


def test_the_audit_command_prints_who_did_what(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    anna = User("anna", Role.ANALYST)
    up = store.commit(incidents(["A1"]), file="a.csv", sha256="a", fmt="native", actor=anna)
    store.undo(up.upload_id, actor=anna)
    assert main(["audit", "--db", store.url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "seq,at,user_name,role,action,upload_id,detail"
    assert [line.split(",")[2:6] for line in lines[1:]] == [
        ["anna", "analyst", "upload", up.upload_id],
        ["anna", "analyst", "undo", up.upload_id],
    ]
    assert main(["audit", "--format", "table", "--db", store.url]) == 0
    assert "user_name" in capsys.readouterr().out
