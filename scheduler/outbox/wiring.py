"""The channels' wiring (kênh gửi): channels built from the configuration and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from notifiers.channels import Channel, FileChannel, SmsChannel, SmtpChannel
from notifiers.safe import remember_secret
from rules import ConfigError
from scheduler.infra.config import Config


def build_channels(config: Config, *, env: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """The configured channels; the file channel stands in for any that is not configured.

    Secrets come from the environment; a missing one is a configuration error named by key.
    """
    env = os.environ if env is None else env
    files = FileChannel(
        config.outbox_dir, sender=config.email.sender if config.email else "tiepdan@localhost"
    )
    channels: dict[str, Channel] = {"email": files, "sms": files}
    if config.email is not None:
        e = config.email
        password = ""
        if e.username:
            password = env.get(e.password_env, "")
            if not password:
                raise ConfigError(
                    f"{config.path}: email.password_env: biến môi trường {e.password_env} chưa được đặt"
                )
        remember_secret(password)
        channels["email"] = SmtpChannel(
            host=e.host,
            port=e.port,
            security=e.security,  # type: ignore[arg-type]
            username=e.username,
            password=password,
            sender=e.sender,
            connections=e.connections,
        )
    if config.sms is not None:
        s = config.sms
        token = env.get(s.token_env, "")
        if not token:
            raise ConfigError(f"{config.path}: sms.token_env: biến môi trường {s.token_env} chưa được đặt")
        remember_secret(token)
        channels["sms"] = SmsChannel(
            url=s.url,
            token=token,
            brandname=s.brandname,
            unicode=s.unicode,
            timeout=s.timeout,
            concurrency=s.concurrency,
        )
    return channels
