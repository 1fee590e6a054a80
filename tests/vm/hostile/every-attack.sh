# SPDX-License-Identifier: GPL-2.0
# Run before tests/vm/3cpu/70-hostile.sh (`make hostile`): makes it run every
# attack of Documentation/hostile-inmates.md, not only the smoke rows that
# `make check` runs.

step "the hostile suite runs every attack of its table" touch /tmp/hostile-every-attack
