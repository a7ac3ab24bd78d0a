"""Subcommands on desk accounts and API tokens, their whole life cycle:

``user add|list|disable|enable|remove|passwd|reset|unlock`` and ``token create|list|revoke``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, time

from notifiers.safe import terminal_fields as safe_line
from rules import TiepdanError
from scheduler.cli.common import CommandContext, Subparsers, add_config, add_now, iso_date
from scheduler.usecases import accounts


def _common(p: argparse.ArgumentParser) -> None:
    add_config(p)
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    add_now(p)


def _token_id(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 0 < len(text) < 19):
        raise argparse.ArgumentTypeError(
            f"số của mã truy cập phải là số nguyên dương, không phải {text[:20]!r}"
        )
    return int(text)


def _login_command(
    user_sub: Subparsers, name: str, help: str, func: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = user_sub.add_parser(name, help=help)
    _common(p)
    p.add_argument("login", metavar="LOGIN")
    p.set_defaults(func=func)
    return p


def add_parser(sub: Subparsers) -> None:
    user = sub.add_parser("user", help="tài khoản bàn làm việc")
    user_sub = user.add_subparsers(dest="user_command", required=True, parser_class=type(user))

    p = _login_command(user_sub, "add", "tạo tài khoản: cán bộ, giám sát hoặc quản trị", run_user_add)
    p.add_argument("--role", required=True, choices=accounts.ROLES)
    p.add_argument("--unit", help="đơn vị phụ trách (bắt buộc với staff và supervisor)")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="đọc mật khẩu từ dòng đầu của đầu vào chuẩn (không để mật khẩu trên dòng lệnh)",
    )

    p = user_sub.add_parser("list", help="các tài khoản và trạng thái")
    _common(p)
    p.set_defaults(func=run_user_list)

    _login_command(
        user_sub, "disable", "khóa tài khoản: dừng ngay đăng nhập và mã truy cập", run_user_disable
    )
    _login_command(user_sub, "enable", "mở lại tài khoản đã khóa", run_user_enable)
    _login_command(user_sub, "remove", "xóa tài khoản cùng mã truy cập (nhật ký vẫn giữ)", run_user_remove)
    p = _login_command(user_sub, "passwd", "đặt mật khẩu mới (đọc từ đầu vào chuẩn)", run_user_passwd)
    p.add_argument("--password-stdin", action="store_true", required=True)
    _login_command(user_sub, "reset", "đặt lại mật khẩu ngẫu nhiên (hiện một lần)", run_user_reset)
    _login_command(user_sub, "unlock", "bỏ thời gian chờ sau nhiều lần đăng nhập sai", run_user_unlock)

    token = sub.add_parser("token", help="mã truy cập API")
    token_sub = token.add_subparsers(dest="token_command", required=True, parser_class=type(token))
    p = token_sub.add_parser("create", help="tạo mã truy cập API cho một tài khoản (chỉ hiện một lần)")
    _common(p)
    p.add_argument("login", metavar="LOGIN")
    p.add_argument("--expires", type=iso_date, metavar="YYYY-MM-DD", help="hết hạn vào đầu ngày này")
    p.set_defaults(func=run_token_create)

    p = token_sub.add_parser("list", help="các mã truy cập (không hiện mã)")
    _common(p)
    p.add_argument("login", metavar="LOGIN", nargs="?")
    p.set_defaults(func=run_token_list)

    p = token_sub.add_parser("revoke", help="thu hồi mã truy cập: dừng ngay")
    _common(p)
    p.add_argument("token_ids", metavar="ID", type=_token_id, nargs="*")
    p.add_argument("--login", help="thu hồi mọi mã của tài khoản này")
    p.set_defaults(func=run_token_revoke)


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.rstrip("\r\n")
    if not password:
        raise TiepdanError("--password-stdin: không đọc được mật khẩu từ đầu vào chuẩn (dòng đầu trống)")
    return password


def run_user_add(args: argparse.Namespace) -> int:
    password = _read_password()
    ctx = CommandContext(args)
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


def _local(dt: datetime | None, ctx: CommandContext) -> str:
    return f"{dt.astimezone(ctx.config.timezone):%d/%m/%Y %H:%M}" if dt else "-"


def run_user_list(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    users = accounts.user_infos(ctx.engine, now=ctx.now)
    if not users:
        print("Chưa có tài khoản nào.")
    for a in users:
        if a.disabled:
            state = "đã khóa"
        elif a.delayed(ctx.now):
            state = f"chờ đến {_local(a.locked_until, ctx)}"
        else:
            state = "hoạt động"
        print(safe_line(f"{a.login}\t{a.role}\t{a.unit_id or '-'}\t{state}\t{a.tokens} mã truy cập"))
    return 0


def run_user_disable(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    a = accounts.set_disabled(ctx.engine, args.login, True, now=ctx.now, actor=ctx.actor)
    print(f"Đã khóa tài khoản {a.login}: mọi phiên đăng nhập và mã truy cập dừng ngay.")
    return 0


def run_user_enable(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    a = accounts.set_disabled(ctx.engine, args.login, False, now=ctx.now, actor=ctx.actor)
    print(f"Đã mở lại tài khoản {a.login}.")
    return 0


def run_user_remove(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    accounts.remove_user(ctx.engine, args.login, now=ctx.now, actor=ctx.actor)
    print(f"Đã xóa tài khoản {accounts.normalize_login(args.login)} cùng các mã truy cập.")
    return 0


def run_user_passwd(args: argparse.Namespace) -> int:
    password = _read_password()
    ctx = CommandContext(args)
    a = accounts.set_password(ctx.engine, args.login, password, now=ctx.now, actor=ctx.actor)
    print(f"Đã đổi mật khẩu của {a.login}; các phiên đăng nhập cũ đã kết thúc.")
    return 0


def run_user_reset(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    password = accounts.reset_password(ctx.engine, args.login, now=ctx.now, actor=ctx.actor)
    print(password)
    print("Mật khẩu mới chỉ hiện một lần; đề nghị người dùng đổi ngay sau khi đăng nhập.", file=sys.stderr)
    return 0


def run_user_unlock(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    accounts.unlock(ctx.engine, args.login, now=ctx.now, actor=ctx.actor)
    print(f"Đã mở khóa đăng nhập của {accounts.normalize_login(args.login)}.")
    return 0


def run_token_create(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    expires = None
    if args.expires is not None:
        expires = datetime.combine(args.expires, time(0), ctx.config.timezone)
    token = accounts.create_token(ctx.engine, args.login, now=ctx.now, actor=ctx.actor, expires_at=expires)
    # The token alone on stdout (TOKEN=$(tiepdan token create ...)); the warning beside it.
    print(token)
    print("Lưu mã này ngay: nó chỉ hiện một lần (cơ sở dữ liệu chỉ giữ bản băm).", file=sys.stderr)
    return 0


def run_token_list(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    tokens = accounts.list_tokens(ctx.engine, args.login)
    if not tokens:
        print("Không có mã truy cập nào.")
    for t in tokens:
        status = accounts.TOKEN_STATUS_VI[t.status(ctx.now)]
        print(
            safe_line(
                f"{t.id}\t{t.login}\t{status}\ttạo {_local(t.created_at, ctx)}\t"
                f"dùng lần cuối {_local(t.last_used_at, ctx)}\thết hạn {_local(t.expires_at, ctx)}"
            )
        )
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    if bool(args.token_ids) == bool(args.login):
        raise TiepdanError(
            "token revoke: cần số của mã truy cập (xem tiepdan token list) hoặc --login, không cả hai"
        )
    ctx = CommandContext(args)
    n = accounts.revoke_tokens(
        ctx.engine, token_ids=args.token_ids or None, login=args.login, now=ctx.now, actor=ctx.actor
    )
    print(f"Đã thu hồi {n} mã truy cập; chúng không còn dùng được.")
    return 0
