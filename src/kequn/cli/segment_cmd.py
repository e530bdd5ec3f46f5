"""kequn segment create | upload | cluster | list | show | members | export | overlap | count | retire."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich import print as rprint
from rich.markup import escape

from kequn.cli import app
from kequn.cli.options import WorkspaceOption, parse_as_of, workspace
from kequn.core.workspace import Workspace
from kequn.engine import Engine

segment_app = typer.Typer(
    help="Segments (智慧分群): rules, uploaded lists, clusterings.", no_args_is_help=True
)
app.add_typer(segment_app, name="segment")

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Snapshot date YYYY-MM-DD (default: latest).")
]
NameEnOption = Annotated[str | None, typer.Option("--name-en", help="English name (default: NAME).")]
OwnerOption = Annotated[str | None, typer.Option("--owner", help="Owner (default: your user name).")]
DescriptionOption = Annotated[str, typer.Option("--description", help="What the segment is for.")]
SegmentId = Annotated[str, typer.Argument(help="Segment id (see 'kequn segment list').")]
T = TypeVar("T")


@contextmanager
def _engine(ws: Workspace) -> Iterator[Engine]:
    from kequn.engine import engine_for

    engine = engine_for(ws)
    try:
        yield engine
    finally:
        engine.close()


def _run(ws_path: Path | None, work: Callable[[Engine, str], T]) -> T:
    ws = workspace(ws_path)
    with _engine(ws) as engine:
        return work(engine, ws.database_url)


def _owner(owner: str | None) -> str:
    return owner or getpass.getuser()


def _created(seg: Any) -> None:
    rprint(f"segment [bold]{seg.segment_id}[/bold] {_names(seg)} ({seg.kind}) saved")


def _names(seg: Any) -> str:
    return f"{escape(seg.name_zh)} / {escape(seg.name_en)}"


@segment_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Name (zh-CN).")],
    expr: Annotated[
        str, typer.Option("--expr", help='Rule expression, e.g. "aum_mad >= 500000 AND age >= 60".')
    ],
    name_en: NameEnOption = None,
    owner: OwnerOption = None,
    description: DescriptionOption = "",
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Create a rule segment; prints its id and its count on the latest snapshot."""
    from kequn.tags.segments import create_rule_segment, segment_count

    def work(engine: Engine, url: str) -> None:
        seg = create_rule_segment(
            engine,
            url,
            name_zh=name,
            name_en=name_en,
            expression=expr,
            owner=_owner(owner),
            description=description,
            as_of=parse_as_of(as_of),
        )
        _created(seg)
        if engine.warehouse.has("features", parse_as_of(as_of)):
            rprint(f"{segment_count(engine, url, seg.segment_id, parse_as_of(as_of)):,} customers")

    _run(ws_path, work)


@segment_app.command("upload")
def upload(
    name: Annotated[str, typer.Argument(help="Name (zh-CN).")],
    file: Annotated[Path, typer.Argument(help="CSV with a customer_id column, or one id per line.")],
    name_en: NameEnOption = None,
    owner: OwnerOption = None,
    description: DescriptionOption = "",
    ws_path: WorkspaceOption = None,
) -> None:
    """Create a static segment from a list of customer ids; reports duplicates and unknown ids."""
    from kequn.tags.segment_upload import read_id_file
    from kequn.tags.segments import create_static_segment

    ids = read_id_file(file)

    def work(engine: Engine, url: str) -> None:
        seg = create_static_segment(
            engine,
            url,
            name_zh=name,
            name_en=name_en,
            ids=ids,
            owner=_owner(owner),
            description=description,
            source=file.name,
        )
        _created(seg)
        _print_upload(seg.config)

    _run(ws_path, work)


def _print_upload(report: dict[str, Any]) -> None:
    """Plain lines (ids are the user's text, never markup), one per finding."""
    typer.echo(f"{report['rows']:,} ids read, {report['distinct']:,} distinct")
    if report["duplicates"]:
        examples = ", ".join(report["duplicate_examples"])
        typer.echo(f"{report['duplicates']:,} duplicate(s), e.g. {examples}")
    if report["unknown"]:
        examples = ", ".join(report["unknown_examples"])
        typer.echo(
            f"{report['unknown']:,} id(s) unknown in the customer snapshot of {report['checked_against']}"
            f" (kept in the list), e.g. {examples}"
        )


@segment_app.command("cluster")
def cluster(
    name: Annotated[str, typer.Argument(help="Name (zh-CN).")],
    features: Annotated[
        str, typer.Option("--features", help="Comma-separated features, e.g. aum_mad,txn_count_30d.")
    ],
    k: Annotated[
        int | None, typer.Option("--k", help="Number of clusters (default: best silhouette, 2..8).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (fixed by default).")] = None,
    name_en: NameEnOption = None,
    owner: OwnerOption = None,
    description: DescriptionOption = "",
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Create a clustering segment (k-means on scaled features) and describe each cluster."""
    from kequn.core.progress import progress
    from kequn.tags.segments import DEFAULT_SEED, create_cluster_segment

    def work(engine: Engine, url: str) -> Any:
        with progress(transient=True) as bar:
            bar.add_task("k-means", total=None)
            return create_cluster_segment(
                engine,
                url,
                name_zh=name,
                name_en=name_en,
                features=features.split(","),
                k=k,
                seed=DEFAULT_SEED if seed is None else seed,
                owner=_owner(owner),
                description=description,
                as_of=parse_as_of(as_of),
            )

    seg = _run(ws_path, work)
    _created(seg)
    _print_clusters(seg.config)


def _print_clusters(config: dict[str, Any]) -> None:
    how = "given" if config["k_criterion"] == "given" else "best silhouette"
    trained = f"trained on {config['training_rows']:,} customers of {config['trained_on']}"
    rprint(f"k = {len(config['centroids'])} ({how}); {trained}")
    for c in config["clusters"]:
        typer.echo(
            f"  {c['cluster']}\t{c['size']:>10,}  {c['share']:>7.1%}  {c['label_zh']} / {c['label_en']}"
        )


@segment_app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include retired segments.")] = False,
    ws_path: WorkspaceOption = None,
) -> None:
    """List segments (newest first)."""
    from kequn.tags.segments import list_segments

    segs = list_segments(workspace(ws_path).database_url, status=None if all_ else "active")
    if not segs:
        rprint("no segments")
    for s in segs:
        what = s.expression or (
            f"{len(s.config.get('centroids', []))} clusters"
            if s.kind == "cluster"
            else s.config.get("source", "")
        )
        typer.echo(f"{s.segment_id}\t{s.kind}\t{s.status}\t{s.name_zh}\t{s.name_en}\t{what}")


@segment_app.command("show")
def show(
    segment_id: SegmentId,
    top: Annotated[int, typer.Option("--top", help="How many profile fields.")] = 10,
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """A segment's definition, count and profile against the whole base."""
    from kequn.tags.segments import get_segment, segment_profile

    def work(engine: Engine, url: str) -> tuple[Any, dict[str, Any]]:
        return get_segment(url, segment_id), segment_profile(
            engine, url, segment_id, parse_as_of(as_of), top=top
        )

    seg, profile = _run(ws_path, work)
    rprint(f"[bold]{seg.segment_id}[/bold] {_names(seg)} ({seg.kind}, {seg.status})")
    if seg.expression:
        typer.echo(f"expression: {seg.expression}")
    if seg.kind == "cluster":
        _print_clusters(seg.config)
    share = f" ({profile['share']:.2%} of {profile['base']:,})" if profile["base"] else ""
    rprint(f"{profile['size']:,} customers on {profile['as_of']}{share}")
    for item in profile["fields"]:
        typer.echo(_profile_line(item))


def _profile_line(item: dict[str, Any]) -> str:
    name = f"{item['name_zh']} / {item['name_en']} [{item['field']}]"
    if item["kind"] == "number":
        return (
            f"  {name}: mean {_num(item['segment_mean'])} vs {_num(item['base_mean'])}, "
            f"median {_num(item['segment_median'])} vs {_num(item['base_median'])} "
            f"(std. diff {_num(item['std_diff'])})"
        )
    if item["kind"] == "boolean":
        return (
            f"  {name}: {_share(item['segment_share'])} vs {_share(item['base_share'])} "
            f"(lift {_num(item['lift'])})"
        )
    values = ", ".join(
        f"{v['value']} {_share(v['segment_share'])} vs {_share(v['base_share'])}" for v in item["values"]
    )
    return f"  {name}: {values}"


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


@segment_app.command("members")
def members(
    segment_id: SegmentId,
    limit: Annotated[int, typer.Option("--limit", help="How many ids.")] = 20,
    page: Annotated[int, typer.Option("--page", help="Page number (pages of --limit ids).")] = 1,
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Customer ids of a segment (paged, in id order)."""
    from kequn.tags.segments import segment_members

    result = _run(
        ws_path, lambda e, u: segment_members(e, u, segment_id, parse_as_of(as_of), page=page, size=limit)
    )
    for item in result["items"]:
        typer.echo(
            item["customer_id"] if item["cluster"] is None else f"{item['customer_id']}\t{item['cluster']}"
        )
    rprint(f"[dim]{len(result['items'])} of {result['total']:,} on {result['as_of']}[/dim]")


@segment_app.command("export")
def export(
    segment_id: SegmentId,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write (customer_id[, cluster]).")],
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Write a segment's customer ids to a CSV (no personal data)."""
    from kequn.tags.segments import export_segment

    rows = _run(ws_path, lambda e, u: export_segment(e, u, segment_id, out, parse_as_of(as_of)))
    rprint(f"{rows:,} customer ids → {out}")


@segment_app.command("overlap")
def overlap(
    segment_ids: Annotated[list[str], typer.Argument(help="Two or more segment ids.")],
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Sizes, shared members and Jaccard index of segment pairs."""
    from kequn.tags.segments import segment_overlap

    result = _run(ws_path, lambda e, u: segment_overlap(e, u, segment_ids, parse_as_of(as_of)))
    rprint(f"overlap on {result['as_of']}")
    for s in result["segments"]:
        typer.echo(f"{s['segment_id']}\t{s['size']:,}\t{s['name_zh']}")
    for p in result["pairs"]:
        typer.echo(f"{p['a']} ∩ {p['b']}\t{p['both']:,}\tJaccard {p['jaccard']:.4f}")


@segment_app.command("count")
def count(
    expression: Annotated[str, typer.Argument(help="Rule expression.")],
    as_of: AsOfOption = None,
    ws_path: WorkspaceOption = None,
) -> None:
    """Count the customers meeting an expression now (prints the number)."""
    from kequn.tags.segments import live_count

    typer.echo(str(_run(ws_path, lambda e, u: live_count(e, expression, parse_as_of(as_of), store_url=u))))


@segment_app.command("retire")
def retire(segment_id: SegmentId, ws_path: WorkspaceOption = None) -> None:
    """Stop refreshing a segment (its past memberships stay)."""
    from kequn.tags.segments import retire_segment

    seg = retire_segment(workspace(ws_path).database_url, segment_id)
    rprint(f"segment {seg.segment_id} retired")
