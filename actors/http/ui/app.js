// cairn web UI
