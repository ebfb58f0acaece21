// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Live refresh: a udev monitor on the buses the model reads. The main loop
 * polls its descriptor beside the keyboard; events only mark the model as
 * stale, and the loop rescans once a burst of events has settled.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <libudev.h>

#include "tui-int.h"

struct vs_tui_monitor {
	struct udev *udev;
	struct udev_monitor *mon;
};

static const char *const subsystems[] = { "pci", "platform", "amba", "fsl-mc" };

int vs_tui_monitor_open(struct vs_tui_monitor **out, struct vs_err *err)
{
	struct vs_tui_monitor *m = calloc(1, sizeof(*m));
	int ret;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->udev = udev_new();
	if (!m->udev) {
		ret = vs_err_set(err, -errno ? -errno : -ENOMEM, "cannot start libudev");
		goto fail;
	}
	m->mon = udev_monitor_new_from_netlink(m->udev, "udev");
	if (!m->mon) {
		ret = vs_err_set(err, -EPERM, "cannot listen to udev events");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(subsystems) / sizeof(subsystems[0]); i++) {
		ret = udev_monitor_filter_add_match_subsystem_devtype(m->mon, subsystems[i], NULL);
		if (ret < 0) {
			vs_err_set(err, ret, "cannot filter udev events");
			goto fail;
		}
	}
	ret = udev_monitor_enable_receiving(m->mon);
	if (ret < 0) {
		vs_err_set(err, ret, "cannot receive udev events");
		goto fail;
	}
	*out = m;
	return 0;
fail:
	vs_tui_monitor_free(m);
	return ret;
}

int vs_tui_monitor_fd(const struct vs_tui_monitor *mon)
{
	return mon ? udev_monitor_get_fd(mon->mon) : -1;
}

int vs_tui_monitor_drain(struct vs_tui_monitor *mon)
{
	struct udev_device *dev;
	int n = 0;

	while ((dev = udev_monitor_receive_device(mon->mon))) {
		udev_device_unref(dev);
		n++;
	}
	return n;
}

void vs_tui_monitor_free(struct vs_tui_monitor *mon)
{
	if (!mon)
		return;
	udev_monitor_unref(mon->mon);
	udev_unref(mon->udev);
	free(mon);
}
