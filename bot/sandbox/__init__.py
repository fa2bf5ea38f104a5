"""The sandbox: a Slack that lives on loopback, so the bot can be exercised end to end without the internet.

`emulator.SlackEmulator` stands in for Slack's Web API (the real slack_sdk client talks to it over HTTP)
and, on demand, its Socket Mode server; `slack_client.SlackSide` plays Slack toward the bot, sending
commands, interactions and events as signed HTTP requests or as Socket Mode envelopes (`slack_transports`).
"""
