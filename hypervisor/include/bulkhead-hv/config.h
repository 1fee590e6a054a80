/* SPDX-License-Identifier: GPL-2.0 */
/* Checks and views of .cell configs; the same source serves hypervisor, driver and host tests. */
#ifndef BULKHEAD_HV_CONFIG_H
#define BULKHEAD_HV_CONFIG_H

#include <bulkhead/config.h>

#if defined(__KERNEL__)
#include <linux/errno.h>
#elif defined(BULKHEAD_HYPERVISOR)
#include <bulkhead-hv/errno.h>
#include <bulkhead-hv/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#endif

/* Pointers into a config that config_parse() has checked completely. */
struct config_view {
	const struct bulkhead_config_header *header;
	const struct bulkhead_system *system;	/* NULL for a cell config */
	const struct bulkhead_cell *cell;
	const uint64_t *cpu_set;
	const struct bulkhead_memory_region *memory_regions;
	const struct bulkhead_pio_region *pio_regions;
	const struct bulkhead_irqchip *irqchips;
	const struct bulkhead_pci_device *pci_devices;
};

/*
 * Address ranges [start, start + size) compared by their last bytes, so
 * that one may end at 2^64; both must be non-empty and not wrap.
 */
static inline bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size)
{
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

/* [inner, inner + inner_size) lies inside [outer, outer + outer_size). */
static inline bool range_inside(uint64_t inner, uint64_t inner_size, uint64_t outer,
				uint64_t outer_size)
{
	return inner >= outer && inner + (inner_size - 1) <= outer + (outer_size - 1);
}

uint32_t config_crc32(const void *data, size_t size);
int config_parse(const void *data, size_t size, unsigned int kind,
		 struct config_view *view, const char **problem);
bool config_cpu_in_set(const struct config_view *view, unsigned int cpu);
unsigned int config_highest_cpu(const struct config_view *view);

#endif
