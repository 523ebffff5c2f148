"""`activity-day backup`, `restore` and `migrate`: keep what a county cannot make again, and bring it back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def backup(to: Annotated[Path, typer.Option("--to", help="新的备份目录（不存在或为空），如 /var/backups/activity-day/2027-03-05。")]) -> None:
    """备份数据库、文档和照片（Prefect 自己的数据库另用 pg_dump 备份，见 README）。"""
    from activity_day.context import current
    from activity_day.services.backup import backup as write_backup

    done = write_backup(to, now=current().now())
    typer.echo(f"已备份到 {done.folder}：数据库 {done.tables} 张表 {done.rows} 行（结构版本 {done.revision}），"
               f"文档 {done.documents} 个，照片 {done.photos} 张")
    if done.missing_photos:
        typer.echo(f"  注意：数据库记录的 {len(done.missing_photos)} 张照片在照片存储中找不到，未能备份"
                   f"（如 {done.missing_photos[0]}）", err=True)


def restore(
    source: Annotated[Path, typer.Option("--from", help="activity-day backup 写出的备份目录。")],
    force: Annotated[bool, typer.Option("--force", help="数据库或文档目录不为空时也恢复：覆盖其中的数据。")] = False,
) -> None:
    """从备份恢复数据库、文档和照片（先停止服务；默认只恢复到空数据库）。"""
    from activity_day.services.backup import restore as read_backup

    done = read_backup(source, force=force)
    upgraded = f"，已升级到 {done.upgraded_to}" if done.upgraded_to else ""
    typer.echo(f"已从 {done.folder} 恢复：数据库 {done.tables} 张表 {done.rows} 行（备份时结构版本 {done.revision}"
               f"{upgraded}），文档 {done.documents} 个，照片 {done.photos} 张")


def migrate() -> None:
    """把数据库结构升级到本程序的版本（升级程序后运行；init 和 api 也会自动升级）。"""
    from activity_day.store.database import schema_revision, upgrade_schema

    before = schema_revision()
    after = upgrade_schema()
    if before == after:
        typer.echo(f"数据库结构已是最新（{after}）")
    else:
        typer.echo(f"数据库结构已从 {before or '空库'} 升级到 {after}")
