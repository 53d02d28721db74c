"""The extraction pool's fork-server preload (parallel.py names it): importing it prepares the
fork server (warm.prepare_fork_server). A fork server's preload is a list of module names to
import, so this module's import is the hook; nothing else imports it."""

from dagster_project.warm import prepare_fork_server

prepare_fork_server()
