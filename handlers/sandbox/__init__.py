"""The local sandbox: `badgebot serve` without Slack credentials runs the real bot against the
emulator (bot/sandbox), seeds a demo workspace, and serves a Slack-like browser UI."""
