/* SPDX-License-Identifier: GPL-2.0 */
/* The image header as the hypervisor sees it: its own, at BULKHEAD_BASE. */
#ifndef BULKHEAD_HV_IMAGE_H
#define BULKHEAD_HV_IMAGE_H

#include <bulkhead/image.h>

extern struct bulkhead_image_header image_header;

#endif
