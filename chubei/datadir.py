"""The data directory is checked before the server starts: a read-only or full disk is explained, not a traceback."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

FIXES = {
    errno.EROFS: "它在只读文件系统上。请以可写方式挂载，或用 CHUBEI_DATA_DIR 指向一个可写的目录",
    errno.EACCES: "当前用户无权写入。请执行 chown 或 chmod 让运行 Chubei 的用户可写，或用 CHUBEI_DATA_DIR 指向可写的目录",
    errno.EPERM: "当前用户无权写入。请执行 chown 或 chmod 让运行 Chubei 的用户可写，或用 CHUBEI_DATA_DIR 指向可写的目录",
    errno.ENOSPC: "所在磁盘已满。请清理磁盘空间，或用 CHUBEI_DATA_DIR 指向空间充足的磁盘",
    errno.EDQUOT: "已超出磁盘配额。请清理空间或提高配额，或用 CHUBEI_DATA_DIR 指向其他磁盘",
    errno.ENOTDIR: "该路径（或其上级）不是目录。请用 CHUBEI_DATA_DIR 指向一个目录",
    errno.EEXIST: "该路径已存在且不是目录。请用 CHUBEI_DATA_DIR 指向一个目录",
}


class DataDirError(Exception):
    """The data directory cannot be written; the message says where, why and what to do, in Chinese."""


def explain(path: Path, error: OSError) -> str:
    fix = FIXES.get(
        error.errno or 0, f"系统提示：{error.strerror or error}。请检查该目录，或用 CHUBEI_DATA_DIR 指向可写的目录"
    )
    return f"无法写入数据目录 {path}：{fix}。"


def check_writable(path: Path) -> None:
    """Create the directory if need be and write (then remove) a small file in it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path, prefix=".write-check-") as probe:
            probe.write(b"chubei")
            probe.flush()
    except OSError as error:
        raise DataDirError(explain(path, error)) from error
