"""Roles and the checks the store's writes make, on both back ends."""

from __future__ import annotations

import pytest
from test_store import incidents

from geo.store.auth import LOCAL, PERMISSIONS, Action, NotAllowed, Role, User, can, require
from geo.store.core import Store

VIEWER = User("vera", Role.VIEWER)
ANNA = User("anna", Role.ANALYST)
BORIS = User("boris", Role.ANALYST)
ADMIN = User("ada", Role.ADMIN)


def test_the_permission_table() -> None:
    assert PERMISSIONS[Role.VIEWER] == {Action.READ}
    assert can(ANNA, Action.UPLOAD) and can(ANNA, Action.UNDO_OWN)
    assert not can(ANNA, Action.UNDO_ANY) and not can(ANNA, Action.MANAGE_USERS)
    assert all(can(ADMIN, a) for a in Action)
    assert LOCAL.role is Role.ADMIN


def test_require_names_the_user_and_the_action() -> None:
    with pytest.raises(NotAllowed, match=r"vera \(viewer\) may not upload"):
        require(VIEWER, Action.UPLOAD)
    with pytest.raises(NotAllowed, match="no signed-in user"):
        require(None, Action.UPLOAD)  # type: ignore[arg-type]
    assert issubclass(NotAllowed, PermissionError)


def test_a_user_needs_a_name_and_a_known_role() -> None:
    with pytest.raises(ValueError):
        User(" ", Role.ADMIN)
    with pytest.raises(ValueError):
        User("x", "superuser")  # type: ignore[arg-type]
    assert User("x", "viewer").role is Role.VIEWER  # type: ignore[arg-type]


@pytest.fixture
def store(store_url: str) -> Store:
    return Store(store_url, seed=False)


def test_a_viewer_cannot_commit_and_nothing_is_written(store: Store) -> None:
    with pytest.raises(NotAllowed):
        store.commit(incidents(["A1"]), file="a.csv", sha256="x", fmt="native", actor=VIEWER)
    assert store.incidents().empty and store.uploads().empty and store.audit().empty


def test_an_analyst_undoes_and_redoes_only_their_own_uploads(store: Store) -> None:
    mine = store.commit(incidents(["A1"]), file="a.csv", sha256="a", fmt="native", actor=ANNA)
    theirs = store.commit(incidents(["B1"]), file="b.csv", sha256="b", fmt="native", actor=BORIS)
    assert store.uploads()["user"].tolist() == ["anna", "boris"]
    with pytest.raises(NotAllowed, match="only their own uploads; this one was made by boris"):
        store.undo(theirs.upload_id, actor=ANNA)
    with pytest.raises(NotAllowed):
        store.undo(mine.upload_id, actor=VIEWER)
    assert sorted(store.incidents()["incident_id"]) == ["A1", "B1"]
    store.undo(mine.upload_id, actor=ANNA)
    with pytest.raises(NotAllowed):
        store.redo(mine.upload_id, actor=BORIS)
    store.redo(mine.upload_id, actor=ANNA)
    store.undo(theirs.upload_id, actor=ADMIN)  # an admin undoes anyone's
    assert store.incidents()["incident_id"].tolist() == ["A1"]


def test_every_write_is_in_the_audit_with_who_and_when(store: Store) -> None:
    up = store.commit(incidents(["A1", "A2"]), file="a.csv", sha256="a", fmt="native", actor=ANNA)
    store.undo(up.upload_id, actor=ADMIN)
    redo = store.redo(up.upload_id, actor=ANNA)
    log = store.audit()
    assert log["action"].tolist() == ["upload", "undo", "redo"]
    assert log["user_name"].tolist() == ["anna", "ada", "anna"]
    assert log["role"].tolist() == ["analyst", "admin", "analyst"]
    assert log["upload_id"].tolist() == [up.upload_id, up.upload_id, redo["upload_id"]]
    assert log["at"].str.match(r"\d{4}-\d\d-\d\dT").all()
    assert "a.csv: 2 new" in log["detail"].iloc[0]


def test_the_default_actor_is_the_local_user(store: Store) -> None:
    store.commit(incidents(["A1"]), file="a.csv", sha256="a", fmt="native")
    assert store.uploads()["user"].tolist() == ["local"]
    assert store.audit()["user_name"].tolist() == ["local"]


def test_the_oidc_role_comes_from_the_claim_or_the_mapping_file(tmp_path) -> None:
    from geo.store.auth import role_from_claims

    assert role_from_claims({"roles": ["viewer", "analyst"]}) is Role.ANALYST
    assert role_from_claims({"groups": "Admin"}, claim="groups") is Role.ADMIN
    assert role_from_claims({"roles": ["owner"]}) is Role.VIEWER  # unknown: reads only
    assert role_from_claims({}) is Role.VIEWER
    mapping = tmp_path / "roles.toml"
    mapping.write_text('"ana@example.org" = "admin"\n', encoding="utf-8")
    claims = {"email": "ana@example.org", "roles": "viewer"}
    assert role_from_claims(claims, mapping_file=str(mapping)) is Role.ADMIN
    assert role_from_claims({"email": "x@y"}, mapping_file=str(mapping)) is Role.VIEWER
