#!/usr/bin/env python3
"""Drives a FakeLaunchpad with unmodified launchpadlib, as a release script would.

usage: drive_fake_launchpad.py WEB_ROOT CREDENTIALS_FILE CACHE_DIR RECIPE_PATH
       drive_fake_launchpad.py --anonymous WEB_ROOT CACHE_DIR RECIPE_PATH

Logs in with a credentials file, loads the recipe, makes, lists and deletes a webhook, requests
builds, waits for the build request to complete, then polls every build with lp_refresh() until
all are finished and uploaded, scheduling a new registry upload for any that failed. Prints one "key: value" line per fact the
Java test checks, and exits non-zero on any surprise.
"""
import sys
import time

from launchpadlib.launchpad import Launchpad
from lazr.restfulclient.errors import Unauthorized

FINISHED = {"Successfully built", "Failed to build", "Dependency wait", "Chroot problem",
            "Build for superseded Source", "Failed to upload", "Cancelled build"}


def anonymous(web_root, cache_dir, recipe_path):
    """An anonymous client may read the recipe; its requestBuilds is refused with 401."""
    lp = Launchpad.login_anonymously(
        "imagebuilder-testkit", service_root=web_root, version="devel", launchpadlib_dir=cache_dir)
    recipe = lp.load(recipe_path)
    print("anonymous_recipe:", recipe.name)
    try:
        recipe.requestBuilds()
        print("anonymous_write: allowed")
    except Unauthorized as e:
        print("anonymous_write:", e.response.status)


def main():
    if sys.argv[1] == "--anonymous":
        anonymous(*sys.argv[2:5])
        return
    web_root, credentials_file, cache_dir, recipe_path = sys.argv[1:5]
    lp = Launchpad.login_with(
        "imagebuilder-testkit", service_root=web_root, version="devel",
        credentials_file=credentials_file, launchpadlib_dir=cache_dir)
    print("me:", lp.me.name)
    amd64 = lp.processors.getByName(name="amd64")
    print("processor:", amd64.name, amd64.title)
    recipe = lp.load(recipe_path)
    print("recipe:", recipe.name, recipe.image_name)
    print("processors:", ",".join(p.name for p in recipe.processors))
    print("push_rules:", len(recipe.push_rules))

    hook = recipe.newWebhook(delivery_url="http://127.0.0.1:9/hook", event_types=["oci-recipe:build:0.1"],
                             active=True, secret="not-shown")
    hooks = list(recipe.webhooks)
    print("webhooks:", len(hooks), hooks[0].delivery_url, ",".join(hooks[0].event_types), hooks[0].active)
    print("webhook_is_listed:", hooks[0].self_link == hook.self_link)
    hook.lp_delete()
    print("webhooks_after_delete:", len(list(recipe.webhooks)))

    request = recipe.requestBuilds()
    print("request_status_initial:", request.status)
    deadline = time.time() + 60
    while request.status == "Pending":
        if time.time() > deadline:
            raise SystemExit("build request still Pending")
        time.sleep(0.2)
        request.lp_refresh()
    print("request_status:", request.status)
    builds = list(request.builds)
    print("builds:", len(builds))

    rescheduled = 0
    while True:
        pending = 0
        for build in builds:
            build.lp_refresh()
            if build.buildstate not in FINISHED:
                pending += 1
            elif build.buildstate == "Successfully built":
                if build.registry_upload_status == "Failed to upload":
                    print("upload_error:", build.arch_tag, build.registry_upload_error_summary)
                    build.scheduleRegistryUpload()
                    rescheduled += 1
                    pending += 1
                elif build.registry_upload_status == "Pending":
                    pending += 1
        if not pending:
            break
        if time.time() > deadline:
            raise SystemExit("builds did not finish")
        time.sleep(0.2)
    for build in sorted(builds, key=lambda b: b.arch_tag):
        print("build:", build.arch_tag, build.buildstate, build.registry_upload_status,
              build.datebuilt.isoformat())
    print("rescheduled:", rescheduled)


if __name__ == "__main__":
    main()
