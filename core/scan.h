/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the core: the pieces of the topology scan that are shared
 * between the core files and the unit tests (which link only the core
 * library). Nothing here is a public interface.
 */
#ifndef VFIOSCOPE_CORE_SCAN_H
#define VFIOSCOPE_CORE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vfioscope/topology.h"

/*
 * struct vs_strmap - string-keyed hash map, open addressing.
 * Keys are borrowed (they live in the devices the map indexes).
 */
struct vs_strmap_slot {
	const char *key;
	void *value;
};

struct vs_strmap {
	struct vs_strmap_slot *slots;
	size_t cap;		/* power of two, or 0 */
	size_t used;
};

void vs_strmap_init(struct vs_strmap *map);
/** vs_strmap_put() - insert; the first value for a key wins. Return: 0, 1 if the key existed, -ENOMEM. */
int vs_strmap_put(struct vs_strmap *map, const char *key, void *value);
void *vs_strmap_get(const struct vs_strmap *map, const char *key);
void vs_strmap_release(struct vs_strmap *map);

/*
 * Private scan bit (above the public VS_SCAN_* byte): read links only, for
 * vs_groups_scan(). Never combined with CONFIG, ATTRS or NAMES.
 */
#define VS_SCAN_LINKS_ONLY (1u << 8)

/* Private state hung on vs_topology.priv. */
struct vs_topo_priv {
	struct vs_strmap by_name;	/* sysfs name -> device (first bus wins) */
	struct vs_strmap by_path;	/* syspath -> device */
	unsigned what;			/* VS_SCAN_* bits the scan ran with */
};

/* Scan state shared by the scanner files while one scan runs. */
struct vs_scan {
	struct vs_topology *topo;
	struct vs_topo_priv *priv;
	const struct vs_scan_opts *opts;
	unsigned what;
	struct vs_err *err;
	size_t alloc_devices;
	struct vs_pci_scratch *scratch;	/* per PCI device (index), while linking */
	size_t n_scratch;
};

/* What the PCI enumeration read but could only resolve once every device exists. */
struct vs_pci_scratch {
	bool vanished;		/* the bus link disappeared: the device is dropped */
	bool restricted;	/* config read cut short like a non-root read */
	char *physfn;		/* basename of the physfn link */
	char **virtfn;		/* basenames of virtfn0, virtfn1, ... */
	size_t n_virtfn;
	bool virtfn_read;	/* virtfnN links were read (VS_SCAN_ATTRS on a PF) */
	bool class_read;	/* the class attribute was read */
};

/**
 * vs_device_problem() - record a problem with a device: set @bit in
 * dev->errors (0 adds only the sentence) and append a sentence.
 * Return: 0 or -ENOMEM.
 */
int vs_device_problem(struct vs_device *dev, unsigned bit, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** vs_topology_warn() - append a scan-level warning sentence. */
int vs_topology_warn(struct vs_topology *topo, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * vs_path_join_link() - resolve a symlink target the way the kernel's path
 * walk would, without touching the file system.
 * @dir: the directory holding the link, relative to the system root
 *       ("sys/bus/pci/devices")
 * @target: the link's contents; an absolute target is taken relative to
 *          the system root
 * Return: a normalised root-relative path ("sys/devices/pci0000:00/..."),
 * or NULL on allocation failure. ".." never climbs above the root.
 */
char *vs_path_join_link(const char *dir, const char *target);

/**
 * vs_escape_value() - render a value read from a file for a problem
 * sentence: printable ASCII kept, everything else as \xNN, at most @max
 * input bytes (then "..."). Return: a new string or NULL.
 */
char *vs_escape_value(const char *s, size_t max);

/**
 * vs_parallel_for() - call @fn(@ctx, i) for i in [0, @n), on a few threads
 * when @n is large enough to be worth it (the scan is bound by system calls,
 * which run in parallel on other CPUs). @fn must only touch state of item i.
 * Return: 0, or the first negative value an @fn returned (the remaining
 * items are then skipped).
 */
int vs_parallel_for(size_t n, int (*fn)(void *ctx, size_t i), void *ctx);

/**
 * vs_scan_attr() - vs_read_attr() for the scan's hot path: one read(2)
 * instead of two, because a sysfs attribute (and a regular file) returns
 * all it has in the first read; anything that fills the 4 KiB buffer is
 * re-read with vs_read_attr(). Same results and errors as vs_read_attr().
 */
ssize_t vs_scan_attr(int dirfd, const char *rel, char **out);

/**
 * vs_list_dir() - the entry names of directory @rel under @dirfd (no "."
 * entries, unsorted), with one open and getdents64 calls.
 * Return: 0 and a malloc'd array of malloc'd names, or -errno.
 */
int vs_list_dir(int dirfd, const char *rel, char ***names, size_t *n);
/**
 * vs_list_dir_ex() - vs_list_dir(); with @fills, a getdents64 that leaves
 * room for another entry is taken as the end of the directory, which saves
 * the second call on small directories. Only for a file system whose
 * readdir fills the buffer until it is full or the directory ends (see
 * vs_readdir_fills()).
 */
int vs_list_dir_ex(int dirfd, const char *rel, bool fills, char ***names, size_t *n);
/**
 * vs_readdir_fills() - whether the file system of @fd is one whose readdir
 * fills the caller's buffer until it is full or the directory ends: sysfs
 * (kernfs), tmpfs, ramfs, ext2/3/4. Others (9p, NFS, FUSE) may return
 * less before the end.
 */
bool vs_readdir_fills(int fd);
void vs_free_names(char **names, size_t n);

/**
 * vs_device_bad_value() - flag @dev with @bit and the sentence
 * "WHAT: malformed value "VALUE"" (VALUE escaped); frees @value.
 * Return: 0 or -ENOMEM.
 */
int vs_device_bad_value(struct vs_device *dev, unsigned bit, const char *what, char *value);

/** vs_parse_int() - a whole decimal number within [@min, @max]. Return: 0 or -EINVAL. */
int vs_parse_int(const char *s, long min, long max, int *out);

/**
 * vs_parse_hex_attr() - parse a sysfs hex attribute ("0x10de\n" or "10de").
 * Return: 0 and *@out, or -EINVAL when malformed or above @max.
 */
int vs_parse_hex_attr(const char *s, unsigned long max, unsigned long *out);

/**
 * vs_parse_pci_name() - parse "DDDD:BB:DD.F" (domain of any width up to 8 hex
 * digits, case-insensitive). Return: true when well formed.
 */
bool vs_parse_pci_name(const char *s, unsigned *domain, unsigned *bus,
		       unsigned *dev, unsigned *fn);

/*
 * Config space parsing (core/pciconfig.c): pure functions over a buffer,
 * so that the unit tests can feed them crafted bytes.
 */

/**
 * vs_pci_parse_config() - fill the config-derived fields of @dev->pci.
 * @dev: PCI device; pci->vendor/device/ids_valid/is_vf/fn are used for
 *       the sanity check and the multifunction rule
 * @cfg: bytes read from the config file
 * @len: how many bytes were read (0 when the read failed)
 * @wanted: how many bytes were asked for (64 means "header only on purpose")
 * @restricted: set to true when the read was cut short like a non-root read
 *
 * Sets pci->cfg, header_layout, multifunction, revision and subsystem
 * (when still unknown), secondary/subordinate bus, PCIe capability and raw
 * port type, and the ACS capability. Malformed data is flagged as
 * VS_DEVERR_CONFIG with a sentence; never reads past @len.
 * Return: 0 or -ENOMEM.
 */
int vs_pci_parse_config(struct vs_device *dev, const uint8_t *cfg, size_t len,
			size_t wanted, bool *restricted);

/**
 * vs_pci_correct_port_type() - the kernel's set_pcie_port_type() fixup.
 * @raw: port type from the register
 * @parent: corrected port type of the upstream bridge, VS_PORT_UNKNOWN when
 *          there is none (root bus, VMD root bus) or it is not known
 * Return: the port type the kernel uses.
 */
enum vs_port_type vs_pci_correct_port_type(enum vs_port_type raw,
					   enum vs_port_type parent);

/** vs_port_type_from_reg() - map PCIe Capabilities bits 7:4 to the enum. */
enum vs_port_type vs_port_type_from_reg(unsigned type);

/*
 * Names (core/names.c): pci.ids through libpci, loaded on first use.
 */
struct vs_names;
/**
 * vs_names_open() - prepare a libpci name lookup for @root.
 * @pci_ids: ID file, or NULL for the root's usr/share/misc/pci.ids when the
 *           root is not the live system and has one, else libpci's default
 * Return: 0 or -ENOMEM; a libpci failure is reported later by lookups.
 */
int vs_names_open(const struct vs_root *root, const char *pci_ids,
		  struct vs_names **out);
/**
 * vs_names_lookup() - vendor and device names (NULL when unknown).
 * Return: 0, -ENOENT when the ID file could not be loaded (@why says why),
 * -ENOMEM.
 */
int vs_names_lookup(struct vs_names *names, unsigned vendor, unsigned device,
		    char **vendor_name, char **device_name, char **why);
void vs_names_free(struct vs_names *names);

/*
 * Scanner stages, called in this order by vs_topology_scan():
 * enumerate (read each device's own files), index (name and path maps),
 * link (parents, VFs, port type correction), groups.
 */
int vs_scan_pci(struct vs_scan *sc);
int vs_scan_platform(struct vs_scan *sc);
int vs_scan_link_pci(struct vs_scan *sc);
int vs_scan_link_platform(struct vs_scan *sc);
int vs_scan_names(struct vs_scan *sc);
int vs_scan_groups(struct vs_scan *sc);

/** vs_device_free() - free one device and what it owns (not its neighbours). */
void vs_device_free(struct vs_device *dev);
/** vs_scan_add_device() - append a new device to the topology; NULL on ENOMEM. */
struct vs_device *vs_scan_add_device(struct vs_scan *sc, enum vs_bus bus, const char *name);
/**
 * vs_scan_resolve_link() - read the bus link @name in @busdir_fd (whose
 * root-relative path is @busdir) into a root-relative syspath.
 * Return: 0; -ENOENT when the link vanished (the device is gone);
 * -EINVAL when the entry is not a link (then *@syspath is busdir/name);
 * -ENOMEM.
 */
int vs_scan_resolve_link(int busdir_fd, const char *busdir, const char *name,
			 char **syspath);
/**
 * vs_scan_open_device() - open the device directory behind the bus link
 * @name; on failure flag VS_DEVERR_PATH (dangling link, loop, not a
 * directory). Return: an O_PATH directory fd, or a negative errno.
 */
int vs_scan_open_device(struct vs_device *dev, int busdir_fd, const char *name);
/**
 * vs_scan_driver_link() - dev->driver from the `driver` link of bus entry
 * @name in @busdir_fd, without opening the device directory (links-only
 * scan). Return: 0 or -ENOMEM.
 */
int vs_scan_driver_link(struct vs_device *dev, int busdir_fd, const char *name);
/**
 * vs_scan_common_attrs() - driver, driver_override and iommu_group of a
 * device whose directory is open as @fd (any bus). Return: 0 or -ENOMEM.
 */
int vs_scan_common_attrs(struct vs_device *dev, int fd);
/**
 * vs_scan_check_drivers() - flag devices whose driver link names a driver
 * their bus does not have (a dangling or looping link). One lookup per
 * distinct driver name. Return: 0 or -ENOMEM.
 */
int vs_scan_check_drivers(struct vs_scan *sc);
/**
 * vs_scan_parent_by_path() - nearest ancestor of @dev (by syspath) that is
 * a device of the model and, if @bus_only, on the same bus; NULL if none.
 */
struct vs_device *vs_scan_parent_by_path(struct vs_scan *sc, const struct vs_device *dev,
					 bool bus_only);

#endif
