"""``tiermatch keys``: the service's API keys, made, listed and revoked."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._common import DatabaseOption, boundary, console, errors, open_store

__all__ = ["keys_app"]

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
