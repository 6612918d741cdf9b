"""Run the ORCID simulator on its own: ``PYTHONPATH=tests python -m simulators``."""

import argparse
import time

from .app import OrcidSimulator


def main():
    """Serve until interrupted, printing the client credentials to use."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument(
        "--schema-dir", help="orcid-model folder, to validate XML works"
    )
    parser.add_argument("--no-rate-limit", action="store_true")
    args = parser.parse_args()
    simulator = OrcidSimulator(
        schema_dir=args.schema_dir,
        port=args.port,
        rate_limit=None if args.no_rate_limit else (24, 40),
    ).start()
    client = simulator.state.register_client(name="Local InvenioRDM")
    print(f"ORCID simulator on {simulator.url}")
    print(f"ORCID_PUSH_API_URL = {simulator.api_url!r}")
    print(f"ORCID_PUSH_OAUTH_URL = {simulator.oauth_url!r}")
    print(f"client id {client.client_id}, secret {client.secret}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        simulator.stop()


if __name__ == "__main__":
    main()
