"""The month's procedure as Prefect flows.

Importing the package turns flow-run heartbeats off while no Prefect server is configured (flows/heartbeats.py):
on the temporary local server nothing watches them, and each run's exit would wait for the heartbeat thread.
"""

from activity_day.flows.heartbeats import heartbeats_only_with_a_server

heartbeats_only_with_a_server()
