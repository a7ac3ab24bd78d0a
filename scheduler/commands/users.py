"""Subcommands on desk accounts and API tokens: user add, user list, token create."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rules import TiepdanError
from scheduler import accounts
from scheduler.commands.common import add_config, add_now
from scheduler.commands.service import _Context


def _common(p: argparse.ArgumentParser) -> None:
    add_config(p)
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    add_now(p)


def add_parser(sub: Any) -> None:
    user = sub.add_parser("user", help="tài khoản bàn làm việc")
    user_sub = user.add_subparsers(dest="user_command", required=True, parser_class=type(user))

    p = user_sub.add_parser("add", help="tạo tài khoản: cán bộ, giám sát hoặc quản trị")
    _common(p)
    p.add_argument("login", metavar="LOGIN")
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--unit", help="đơn vị phụ trách (bắt buộc với staff và supervisor)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn (không để mật khẩu trên dòng lệnh)",
    )
    p.set_defaults(func=run_user_add)

    p = user_sub.add_parser("list", help="các tài khoản")
    _common(p)
    p.set_defaults(func=run_user_list)

    token = sub.add_parser("token", help="mã truy cập API")
    token_sub = token.add_subparsers(dest="token_command", required=True, parser_class=type(token))
    p = token_sub.add_parser("create", help="tạo mã truy cập API cho một tài khoản (chỉ hiện một lần)")
    _common(p)
    p.add_argument("login", metavar="LOGIN")
    p.set_defaults(func=run_token_create)


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise TiepdanError("--password-stdin: không đọc được mật khẩu từ đầu vào chuẩn (dòng đầu trống)")
    return password


def run_user_add(args: argparse.Namespace) -> int:
    password = _read_password()
    ctx = _Context(args)
    account = accounts.add_user(
        ctx.engine,
        ctx.config,
        args.login,
        role=args.role,
        unit_id=args.unit,
        password=password,
        now=ctx.now,
        actor=ctx.actor,
    )
    where = f", đơn vị {account.unit_id}" if account.unit_id else ""
    print(f"Đã tạo tài khoản {account.login} ({accounts.ROLE_VI[account.role]}{where}).")
    return 0


def run_user_list(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    users = accounts.list_users(ctx.engine)
    if not users:
        print("Chưa có tài khoản nào.")
    for a in users:
        print(f"{a.login}\t{a.role}\t{a.unit_id or '-'}")
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    ctx = _Context(args)
    token = accounts.create_token(ctx.engine, args.login, now=ctx.now, actor=ctx.actor)
    # The token alone on stdout (TOKEN=$(tiepdan token create ...)); the warning beside it.
    print(token)
    print("Lưu mã này ngay: nó chỉ hiện một lần (cơ sở dữ liệu chỉ giữ bản băm).", file=sys.stderr)
    return 0
