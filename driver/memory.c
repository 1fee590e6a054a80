// SPDX-License-Identifier: GPL-2.0
/* Hypervisor memory claimed from the memmap= reservation; Linux's RAM kept out of cells. */
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>

#include "bulkhead.h"

/*
 * Whether any byte of [phys, phys + size) is "System RAM" in the kernel's
 * resource tree (/proc/iomem): memory the kernel manages and may hand out at
 * any time.  memmap=SIZE$ADDR turns such RAM into a "reserved" resource.
 */
bool bulkhead_memory_is_kernel_ram(u64 phys, u64 size)
{
	return region_intersects(phys, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	       REGION_DISJOINT;
}

static int check_reserved(u64 phys, u64 size, struct bulkhead_error *error)
{
	u64 end = phys + size - 1;

	if (bulkhead_memory_is_kernel_ram(phys, size))
		return bulkhead_fail(error, -EINVAL,
			"hypervisor memory 0x%llx-0x%llx overlaps kernel RAM; reserve it with memmap=0x%llx$0x%llx on the kernel command line",
			phys, end, size, phys);
	if (region_intersects(phys, size, IORESOURCE_MEM, IORES_DESC_RESERVED) !=
	    REGION_INTERSECTS)
		return bulkhead_fail(error, -EINVAL,
			"hypervisor memory 0x%llx-0x%llx is not reserved; add memmap=0x%llx$0x%llx to the kernel command line",
			phys, end, size, phys);
	return 0;
}

int bulkhead_memory_claim(struct bulkhead_memory *memory, u64 phys, u64 size,
			  struct bulkhead_error *error)
{
	int err = check_reserved(phys, size, error);

	if (err)
		return err;
	memory->resource = request_mem_region(phys, size, "Bulkhead hypervisor");
	if (!memory->resource)
		return bulkhead_fail(error, -EBUSY,
			"hypervisor memory 0x%llx-0x%llx is in use by another driver; see /proc/iomem",
			phys, phys + size - 1);
	memory->virt = memremap(phys, size, MEMREMAP_WB);
	if (!memory->virt) {
		release_mem_region(phys, size);
		return bulkhead_fail(error, -ENOMEM, "cannot map hypervisor memory 0x%llx-0x%llx",
				     phys, phys + size - 1);
	}
	memory->phys = phys;
	memory->size = size;
	return 0;
}

void bulkhead_memory_release(struct bulkhead_memory *memory)
{
	memunmap(memory->virt);
	release_mem_region(memory->phys, memory->size);
	memory->virt = NULL;
	memory->resource = NULL;
}

/* memmap= takes sizes with a K, M or G suffix; the largest that divides @size reads best. */
static void memmap_size(u64 size, char *text, size_t length)
{
	static const char suffixes[] = "GMK";
	unsigned int shift = 30, i;

	for (i = 0; i < sizeof(suffixes) - 1; i++, shift -= 10)
		if (size >> shift && !(size & ((1ULL << shift) - 1))) {
			snprintf(text, length, "%llu%c", size >> shift, suffixes[i]);
			return;
		}
	snprintf(text, length, "0x%llx", size);
}

/*
 * A cell's EPT takes its memory away from the root cell: if that memory is
 * RAM the kernel uses, the next kernel access to it stops a Linux CPU.  Only
 * memory reserved at boot (memmap=) or no RAM at all (device memory) may go
 * to a cell.  The comm region has no host-physical address.
 */
int bulkhead_memory_check_cell(const struct config_view *view, struct bulkhead_error *error)
{
	char size[24];
	u32 i;

	for (i = 0; i < view->cell->num_memory_regions; i++) {
		const struct bulkhead_memory_region *region = &view->memory_regions[i];

		if (region->flags & BULKHEAD_MEM_COMM_REGION ||
		    !bulkhead_memory_is_kernel_ram(region->phys_start, region->size))
			continue;
		memmap_size(region->size, size, sizeof(size));
		return bulkhead_fail(error, -EINVAL,
			"cell \"%s\": memory 0x%llx-0x%llx is System RAM Linux uses; reserve it at boot with memmap=%s$0x%llx or pick reserved memory",
			view->cell->name, region->phys_start, region->phys_start + region->size - 1,
			size, region->phys_start);
	}
	return 0;
}
