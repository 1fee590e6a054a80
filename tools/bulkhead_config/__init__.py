# SPDX-License-Identifier: GPL-2.0
"""Build, check and inspect Bulkhead system and cell configs."""

VERSION = '0.1'
