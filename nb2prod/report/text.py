"""Human output through rich: location, code, message, the offending source line."""

from __future__ import annotations

from typing import TextIO

from nb2prod.lint.engine import FileResult


def render(
    results: list[FileResult],
    stream: TextIO,
    *,
    color: bool | None = None,
    show_source: bool = True,
) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console(
        file=stream, highlight=False, soft_wrap=True, force_terminal=color, no_color=color is False
    )
    total = 0
    for r in results:
        for f in r.findings:
            total += 1
            style = {"error": "bold red", "warning": "yellow"}.get(f.severity, "cyan")
            fix = " [dim]\\[fixable][/dim]" if f.fixable else ""
            console.print(
                f"[bold]{escape(f.location)}[/bold]: [{style}]{f.code}[/{style}] "
                f"{escape(f.message)}{fix}"
            )
            if show_source and f.source_line.strip():
                gutter = f"{f.line:>4} | "
                console.print(f"[blue]{gutter}[/blue]{escape(f.source_line.rstrip())}")
                width = _caret_width(f)
                pad = " " * (len(gutter) - 2)
                console.print(
                    f"[blue]{pad}| [/blue]{' ' * (f.col - 1)}[{style}]{'^' * width}[/{style}]"
                )
            if f.help:
                console.print(f"  [cyan]help:[/cyan] {escape(f.help)}")
    files = len(results)
    errors = sum(1 for r in results if r.error)
    summary = (
        f"{total} finding{'s' if total != 1 else ''} in {files} notebook{'s' if files != 1 else ''}"
    )
    if errors:
        summary += f", {errors} could not be read"
    console.print(
        f"[bold]{summary}[/bold]" if total or errors else f"[green]{summary}: all clean[/green]"
    )


def _caret_width(f) -> int:
    line_len = len(f.source_line.rstrip())
    if f.end_line == f.line and f.end_col and f.end_col > f.col:
        return max(1, min(f.end_col, line_len + 1) - f.col)
    return max(1, line_len - (f.col - 1))
