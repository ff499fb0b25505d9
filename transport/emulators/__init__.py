"""What every local emulator of an external provider shares (each app keeps its own under `<app>/emulators/`):
serving one in a thread or a process (serving), and calling back the URLs our clients gave it (callbacks).
For tests, benchmarks and the demo only: production code never imports this package."""
