"""Sub-commands of ``sunshine``; each module exposes ``main(argv) -> int``."""
