#!/usr/bin/env python3
"""The peer of LaunchpadRequestsBenchmark: a plain launchpadlib loop, as a release script writes it.

usage: launchpadlib_loop.py WEB_ROOT CREDENTIALS_FILE CACHE_DIR POLL_SECONDS RECIPE_PATH...

For each recipe in turn: load it and requestBuilds. Then, every POLL_SECONDS, lp_refresh every
build request still Pending, list the builds of each request that completed, and lp_refresh
every build not finished yet (finished: a final buildstate and, once built, a final registry
upload status). Prints "requested <epoch ms>" after the last requestBuilds and "done <epoch ms>"
once everything finished; exits non-zero on any surprise.
"""
import sys
import time

from launchpadlib.launchpad import Launchpad

FINAL_BUILD = {"Successfully built", "Failed to build", "Dependency wait", "Chroot problem",
               "Build for superseded Source", "Failed to upload", "Cancelled build"}
FINAL_UPLOAD = {"Uploaded", "Failed to upload", "Superseded", "Unscheduled"}


def finished(build):
    if build.buildstate not in FINAL_BUILD:
        return False
    return build.buildstate != "Successfully built" or build.registry_upload_status in FINAL_UPLOAD


def main():
    web_root, credentials_file, cache_dir, poll = sys.argv[1:5]
    poll = float(poll)
    paths = sys.argv[5:]
    lp = Launchpad.login_with(
        "imagebuilder-benchmark", service_root=web_root, version="devel",
        credentials_file=credentials_file, launchpadlib_dir=cache_dir)
    requests = [lp.load(path).requestBuilds() for path in paths]
    print("requested", int(time.time() * 1000), flush=True)
    open_builds = []
    pending = list(requests)
    deadline = time.time() + 600
    while True:
        # Builds listed in this sweep are fresh: refreshed from the next sweep on.
        for build in open_builds:
            build.lp_refresh()
        open_builds = [b for b in open_builds if not finished(b)]
        still_pending = []
        for request in pending:
            request.lp_refresh()
            if request.status == "Pending":
                still_pending.append(request)
            elif request.status == "Completed":
                open_builds.extend(b for b in request.builds if not finished(b))
            else:
                raise SystemExit("build request %s: %s" % (request.self_link, request.status))
        pending = still_pending
        if not pending and not open_builds:
            break
        if time.time() > deadline:
            raise SystemExit("not finished within 600 s")
        time.sleep(poll)
    print("done", int(time.time() * 1000), flush=True)


if __name__ == "__main__":
    main()
