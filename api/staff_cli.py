"""``chubei staff …``: named staff accounts and their API keys from the command line (the first admin, too).

Works on the app database directly, beside a running server: a disabled account, a new password or a new role
ends the account's logins at once, as on the accounts page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from api.accounts import StaffAccounts
from api.db.engine import Database
from api.dossiers import NotFound, Refused
from api.errors import FIELD_NAMES, describe
from api.schemas import AccountCreate, AccountUpdate, ApiKeyCreate
from chubei.settings import get_settings

staff_app = typer.Typer(help="工作人员账号：新建、列出、停用、改密码、改角色、API 密钥", no_args_is_help=True)
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（第一行），不提示")]


def _accounts() -> StaffAccounts:
    settings = get_settings()
    return StaffAccounts.configured(Database(settings.sqlalchemy_url), settings)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再输入一次")


T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
    """The action's result; refused input is told in Chinese, with exit code 2."""
    try:
        return action()
    except ValidationError as error:
        field, message = describe(error.errors()[0])
        typer.echo(f"输入有误：{FIELD_NAMES.get(field, field)}：{message}", err=True)
    except (Refused, NotFound) as error:
        typer.echo(str(error), err=True)
    raise typer.Exit(2)


@staff_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="登录用户名（字母、数字、点、下划线、连字符）")],
    name: Annotated[str, typer.Option("--name", help="姓名：显示在操作记录中")],
    role: Annotated[str, typer.Option("--role", help="专员 或 管理员")] = "专员",
    password_stdin: PasswordStdin = False,
) -> None:
    """新建账号，例如：chubei staff add zhangsan --name 张三 --role 管理员"""
    accounts = _accounts()
    password = _password(password_stdin)
    fields = {"username": username, "display_name": name, "role": role, "password": password}
    account = _run(lambda: accounts.create(AccountCreate.model_validate(fields)))
    typer.echo(f"已创建账号 {account.username}（{account.display_name}，{account.role}）")


@staff_app.command("list")
def list_accounts() -> None:
    """列出所有账号。"""
    rows = _accounts().list()
    if not rows:
        typer.echo("还没有账号。创建第一个管理员：chubei staff add <用户名> --name <姓名> --role 管理员")
    for account in rows:
        keys = sum(1 for key in account.api_keys if key.revoked_at is None)
        state = "启用" if account.active else "已停用"
        typer.echo(f"{account.username:<20} {account.display_name:<10} {account.role:<4} {state:<4} 有效密钥 {keys} 个")


@staff_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用账号：立即退出其所有登录，其 API 密钥不再可用。"""
    accounts = _accounts()
    _run(lambda: accounts.update(username, AccountUpdate(active=False)))
    typer.echo(f"已停用 {username}")


@staff_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """重新启用账号。"""
    accounts = _accounts()
    _run(lambda: accounts.update(username, AccountUpdate(active=True)))
    typer.echo(f"已启用 {username}")


@staff_app.command("passwd")
def passwd(username: Annotated[str, typer.Argument(help="用户名")], password_stdin: PasswordStdin = False) -> None:
    """设置新密码：立即退出该账号的所有登录。"""
    accounts = _accounts()
    password = _password(password_stdin)
    _run(lambda: accounts.update(username, AccountUpdate(password=password)))
    typer.echo(f"已为 {username} 设置新密码")


@staff_app.command("role")
def set_role(username: Annotated[str, typer.Argument(help="用户名")],
             role: Annotated[str, typer.Argument(help="专员 或 管理员")]) -> None:  # fmt: skip
    """改角色：立即退出该账号的所有登录。"""
    accounts = _accounts()
    account = _run(lambda: accounts.update(username, AccountUpdate.model_validate({"role": role})))
    typer.echo(f"{username} 的角色已改为{account.role}")


@staff_app.command("key-create")
def key_create(username: Annotated[str, typer.Argument(help="用户名")],
               label: Annotated[str, typer.Option("--label", help="用途，如“Dify 接入”")]) -> None:  # fmt: skip
    """为账号生成 API 密钥（以该账号身份调用 API）；密钥只显示这一次。"""
    accounts = _accounts()
    created = _run(lambda: accounts.create_key(username, ApiKeyCreate(label=label).label))
    typer.echo(f"已生成密钥 {created.id}（只显示这一次，请立即保存）：")
    typer.echo(created.key)


@staff_app.command("key-revoke")
def key_revoke(username: Annotated[str, typer.Argument(help="用户名")],
               key_id: Annotated[str, typer.Argument(help="密钥编号（cbk_ 之后、下一个 _ 之前的部分）")]) -> None:  # fmt: skip
    """撤销账号的一个 API 密钥。"""
    accounts = _accounts()
    _run(lambda: accounts.revoke_key(username, key_id))
    typer.echo(f"已撤销密钥 {key_id}")
