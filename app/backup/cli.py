"""`flask backup create` and `flask backup restore`: the whole database into one file and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.backup.archive import BackupError, Manifest
from app.backup.services import check_backup, create_backup, current_target, restore_backup


@click.group("backup")
def backup_group() -> None:
    """Backups of the whole database (evidence files included) and their restore."""


def _size(manifest: Manifest) -> str:
    return f"{manifest.payload_bytes / 1024 / 1024:.1f} MB"


@backup_group.command("create")
@click.option("--to", "to", type=click.Path(),
              help="A folder for a dated file (default instance/backups/), or the file to write.")
@with_appcontext
def create_command(to: str | None) -> None:
    """Back up the whole database into one dated file (dan-van-YYYY-MM-DD-HHMMSS.zip)."""
    try:
        path, manifest = create_backup(to)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Đã sao lưu ({manifest.database}, {_size(manifest)}, cấu trúc dữ liệu "
               f"{manifest.alembic_revision}) vào tệp:\n  {path}")
    click.echo("Hãy chép tệp này sang một máy hoặc ổ đĩa khác.")


@backup_group.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--no-safety-copy", is_flag=True, help="Do not back up the current data first.")
@with_appcontext
def restore_command(file: Path, yes: bool, no_safety_copy: bool) -> None:
    """Replace the whole database with the backup FILE (the current data is backed up first)."""
    try:
        manifest = check_backup(file)
        click.echo(f"Bản sao lưu tạo lúc {manifest.created_at} (UTC), phiên bản ứng dụng {manifest.app_version}.")
        if not yes:
            click.confirm(f"Toàn bộ dữ liệu hiện có trong {current_target().describe()} sẽ được thay bằng bản sao lưu "
                          "này. Hãy dừng ứng dụng trước khi khôi phục. Tiếp tục?", abort=True)
        _manifest, before = restore_backup(file, safety_copy=not no_safety_copy)
    except BackupError as error:
        raise click.ClickException(f"{error}\nDữ liệu hiện có không bị thay đổi.") from error
    if before is not None:
        click.echo(f"Dữ liệu trước khi khôi phục đã được sao lưu vào:\n  {before}")
    click.echo(f"Đã khôi phục từ {file}. Khởi động lại ứng dụng.")
