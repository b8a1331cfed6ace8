"""Floor: the smallest Typer app that prints one line, as `ledger` would start it.

What it does not do: anything else. Its time is the price of Python + Typer.
"""

import typer

app = typer.Typer(add_completion=False)


@app.command()
def hello() -> None:
    typer.echo("你好")


if __name__ == "__main__":
    app()
