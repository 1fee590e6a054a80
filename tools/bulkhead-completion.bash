# SPDX-License-Identifier: GPL-2.0
# Bash completion for bulkhead: commands, cell subcommands, cell names, files and flags.
# make install puts it in /usr/share/bash-completion/completions/bulkhead.

# Adds the words of $1 that start with the current word $cur.
_bulkhead_words()
{
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$1" -- "$cur")
}

# Adds files (only *.$1 when given) and directories to descend into.
_bulkhead_files()
{
	# Outside a completion in progress (a test calling the function) compopt fails; no matter.
	compopt -o filenames 2>/dev/null
	if [[ -n $1 ]]; then
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -X "!*.$1" -- "$cur")
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -d -- "$cur")
	else
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$cur")
	fi
}

# Adds the names of the cells, from sysfs cells/<ID>/name, quoted for the
# shell: a name may hold spaces. BULKHEAD_SYSFS overrides the directory, as
# for the tool; while Bulkhead is disabled there are no cells.
_bulkhead_cell_names()
{
	local dir name

	# compgen -G, not a bare glob: no match adds nothing, whatever nullglob and failglob say.
	while IFS= read -r dir; do
		[[ -r $dir/name ]] && IFS= read -r name <"$dir/name" && [[ -n $name ]] || continue
		printf -v name '%q' "$name"
		[[ $name == "$cur"* ]] && COMPREPLY+=("$name")
	done < <(compgen -G "${BULKHEAD_SYSFS:-/sys/devices/bulkhead}/cells/[0-9]*")
}

# bulkhead cell SUBCOMMAND ...: $word is the index of the word after "cell".
_bulkhead_cell()
{
	local word=$((COMP_CWORD - 2))

	if ((word == 0)); then
		_bulkhead_words "create load start shutdown destroy list stats"
		return
	fi
	case ${COMP_WORDS[2]} in
	create)
		((word == 1)) && _bulkhead_files cell ;;
	start | shutdown | destroy)
		((word == 1)) && _bulkhead_cell_names ;;
	stats)
		if ((word == 1)); then
			_bulkhead_cell_names
		elif ((word == 2)); then
			_bulkhead_words --json
		fi ;;
	load)
		if ((word == 1)); then
			_bulkhead_cell_names
		elif ((word == 2)); then
			_bulkhead_files
		elif [[ $prev != -a && $prev != -s ]]; then
			_bulkhead_words "-a -s"
		fi ;;
	esac
}

# bulkhead latency CELL.cell IMAGE [OPTIONS]: files after the file options, else the options.
_bulkhead_latency()
{
	case $prev in
	--json | --plot)
		_bulkhead_files
		return ;;
	--samples | --duration | --period-us | --pollute-kib | --bucket-ns | --load)
		return ;;
	esac
	if ((COMP_CWORD == 2)); then
		_bulkhead_files cell
	elif ((COMP_CWORD == 3)); then
		_bulkhead_files bin
	else
		_bulkhead_words "--samples --duration --period-us --pollute-kib --bucket-ns --load --json --plot"
	fi
}

_bulkhead()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}

	COMPREPLY=()
	if ((COMP_CWORD == 1)); then
		_bulkhead_words "enable disable hardware stats console cell latency --help --version"
		return 0
	fi
	case ${COMP_WORDS[1]} in
	enable)
		((COMP_CWORD == 2)) && _bulkhead_files cell ;;
	stats)
		((COMP_CWORD == 2)) && _bulkhead_words --json ;;
	console)
		((COMP_CWORD == 2)) && _bulkhead_words --follow ;;
	hardware)
		if ((COMP_CWORD == 2)); then
			_bulkhead_words check
		elif [[ $prev == --msr-file ]]; then
			_bulkhead_files
		elif ((COMP_CWORD == 3)); then
			_bulkhead_words --msr-file
		fi ;;
	cell)
		_bulkhead_cell ;;
	latency)
		_bulkhead_latency ;;
	esac
	return 0
}

complete -F _bulkhead bulkhead
