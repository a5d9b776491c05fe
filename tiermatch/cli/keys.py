"""``tiermatch keys`` and ``tiermatch users``: the service's API keys and the pages' users."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._common import DatabaseOption, boundary, console, errors, open_store

__all__ = ["keys_app", "users_app"]

keys_app = typer.Typer(help="API keys of the service: create, list, revoke.", no_args_is_help=True, rich_markup_mode=None)


@keys_app.command("create")
@boundary
def keys_create(
    role: Annotated[str, typer.Option(help="admin, matchmaker or buyer")],
    buyer_id: Annotated[Optional[str], typer.Option(help="the buyer a buyer key is bound to")] = None,
    name: Annotated[str, typer.Option(help="who or what the key is for")] = "",
    database: DatabaseOption = None,
) -> None:
    """Create an API key and print it once; only its hash is stored.

    Example: tiermatch keys create --role admin --name "DIP admin"
    """
    from ..services import create_key

    created = create_key(open_store(database), role, buyer_id, name)
    errors.print(f"Created {role} key {created['key_id']}" + (f" for buyer {buyer_id}" if buyer_id else "") +
                 ". It is shown only now; keep it safe:", highlight=False, markup=False)
    print(created["key"])


@keys_app.command("list")
@boundary
def keys_list(database: DatabaseOption = None) -> None:
    """List API keys (ids, roles, buyers; never the keys)."""
    table = Table()
    for column in ("key_id", "role", "buyer_id", "name", "created", "revoked"):
        table.add_column(column)
    for key in open_store(database).keys.all():
        table.add_row(key["key_id"], key["role"], key["buyer_id"] or "", key["name"], str(key["created_at"])[:19],
                      str(key["revoked_at"] or "")[:19])
    console.print(table)


@keys_app.command("revoke")
@boundary
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id, from `tiermatch keys list`")],
                database: DatabaseOption = None) -> None:
    """Revoke an API key: it stops working at once."""
    from ..services import revoke_key

    revoke_key(open_store(database), key_id)
    console.print(f"Revoked key {key_id}", highlight=False)


users_app = typer.Typer(help="Web users (a username and password for the pages): create, list, change a password, "
                             "delete.", no_args_is_help=True, rich_markup_mode=None)
_PASSWORD = typer.Option(prompt=True, confirmation_prompt=True, hide_input=True,
                         help="at least 8 characters; asked for when not given")


@users_app.command("create")
@boundary
def users_create(
    username: Annotated[str, typer.Argument(help="the name to sign in with")],
    role: Annotated[str, typer.Option(help="admin, matchmaker or buyer")],
    password: Annotated[str, _PASSWORD],
    buyer_id: Annotated[Optional[str], typer.Option(help="the buyer a buyer user acts for")] = None,
    database: DatabaseOption = None,
) -> None:
    """Create a web user, with an API key of its own for ``role``.

    Example: tiermatch users create somchai --role matchmaker
    """
    from ..services import add_web_user

    created = add_web_user(open_store(database), username, password, role, buyer_id)
    console.print(f"Created web user {created['username']} ({role}" + (f", buyer {buyer_id}" if buyer_id else "")
                  + f"), key {created['key_id']}", highlight=False, markup=False)


@users_app.command("list")
@boundary
def users_list(database: DatabaseOption = None) -> None:
    """List web users with their roles (never a password)."""
    from ..services import list_web_users

    table = Table()
    for column in ("username", "role", "buyer_id", "created"):
        table.add_column(column)
    for user in list_web_users(open_store(database)):
        table.add_row(user["username"], user["role"] or "(key revoked)", user["buyer_id"] or "",
                      str(user["created_at"])[:19])
    console.print(table)


@users_app.command("password")
@boundary
def users_password(
    username: Annotated[str, typer.Argument(help="whose password")],
    password: Annotated[str, _PASSWORD],
    database: DatabaseOption = None,
) -> None:
    """Set a web user's password; every session they have open ends."""
    from ..services import change_password

    change_password(open_store(database), username, password)
    console.print(f"Password changed for {username}; their open sessions have ended", highlight=False, markup=False)


@users_app.command("delete")
@boundary
def users_delete(username: Annotated[str, typer.Argument(help="the user to delete")],
                 database: DatabaseOption = None) -> None:
    """Delete a web user: its key is revoked and its sessions end."""
    from ..services import delete_web_user

    delete_web_user(open_store(database), username)
    console.print(f"Deleted web user {username}", highlight=False, markup=False)
