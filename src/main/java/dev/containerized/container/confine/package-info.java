/**
 * Confinement of container commands: Docker's default seccomp profile and a compiler from Docker's
 * profile format to classic BPF.
 * <p>
 * The runtime's one call is {@link dev.containerized.container.confine.Confinement#docker}: Docker's
 * capabilities and the bytes of a {@code struct sock_filter[]} that PID 1 installs after
 * {@code PR_SET_NO_NEW_PRIVS}, just before execve, compiled by
 * {@link dev.containerized.container.confine.SeccompFilters#compile}. Inside, a profile goes through
 * three steps, each a small class: {@code ProfileReader} (Docker's JSON to the model: {@code Profile},
 * {@code SyscallRule}, {@code ArgCheck}, {@code RuleFilter}, {@code Action}), {@code FilterPlan}
 * (the rules that apply to one architecture, capability set and kernel, by call number, in the
 * order they are tried) and {@code FilterEmitter} over {@code BpfAssembler} (the program, with
 * long jumps resolved). The data: {@code docker-default.json} and the {@code syscalls-*.tsv}
 * tables beside these classes; tools/seccomp/README.md says where they come from. The build compiles
 * Docker's default profile once for each architecture ({@code PrecompiledFilters}): a container of the
 * default profile loads that instead of compiling it.
 */
package dev.containerized.container.confine;
