// SPDX-License-Identifier: GPL-2.0
/* Claiming the memory that the kernel command line reserved for the hypervisor. */
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>

#include "bulkhead.h"

static int check_reserved(u64 phys, u64 size, struct bulkhead_error *error)
{
	u64 end = phys + size - 1;

	if (region_intersects(phys, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) !=
	    REGION_DISJOINT)
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
