"""``tiermatch vocabulary``: the curator's loop: words no concept knows, and the concept to file each under."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from ._common import BuyersOption, DatabaseOption, boundary, console, open_store

__all__ = ["vocabulary_app"]

vocabulary_app = typer.Typer(help="The concept vocabulary: what it lacks, and a site's own concepts file.",
                             no_args_is_help=True, rich_markup_mode=None)


@vocabulary_app.command("suggest")
@boundary
def suggest(
    suppliers: Annotated[Optional[Path], typer.Option(help="suppliers.csv; omit to read the stored register")] = None,
    buyers: BuyersOption = None,
    top: Annotated[int, typer.Option(min=1, max=1000, help="how many words to list")] = 50,
    out: Annotated[Optional[Path], typer.Option(help="also write the list to this CSV file")] = None,
    database: DatabaseOption = None,
) -> None:
    """List the words of the profiles that no concept matches, most used first, with the concept the
    sentence encoder puts nearest; filler (capacity, experience, reach) left out.

    To file a word under a concept: tiermatch vocabulary file WORD --concept ID (into the site's concepts
    file, TIERMATCH_CONCEPTS_FILE): every later run reads it, no code change and no restart.

    Example: tiermatch vocabulary suggest --top 30 --out unmatched.csv
    """
    from ..services import load_register, suggest_terms

    store = open_store(database) if suppliers is None and buyers is None else None
    register = load_register(store, suppliers=suppliers, buyers=buyers)
    with console.status("Reading the profiles..."):
        found = suggest_terms(register, top)
    table = Table(title=f"Words no concept knows ({len(found)})")
    for column in ("word", "profiles", "nearest concept", "cosine"):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(s.term, str(s.profiles), f"{s.concept_id} ({s.name_en} / {s.name_th})" if s.concept_id else "-",
                      "" if s.cosine is None else f"{s.cosine:.2f}")
    console.print(table)
    if out is not None:
        from ..io import write_rows

        write_rows(out, list(found[0].as_dict()) if found else ["term"], (s.as_dict() for s in found))
        console.print(f"Written to {out}", highlight=False)


@vocabulary_app.command("file")
@boundary
def file(
    word: Annotated[str, typer.Argument(help="the word, as the profiles write it")],
    concept: Annotated[str, typer.Option(help="the concept id to file it under, e.g. auto.wheels")],
) -> None:
    """File a word under a concept in the site's concepts file (TIERMATCH_CONCEPTS_FILE, created if missing):
    the concept is restated there with the word among its synonyms; every later run reads it.

    Example: TIERMATCH_CONCEPTS_FILE=site_concepts.csv tiermatch vocabulary file "ล้อซิ่ง" --concept auto.wheels
    """
    from ..services import file_term

    path = file_term(word, concept)
    console.print(f"{word!r} is filed under {concept} in {path}; the next run reads it.", highlight=False)
