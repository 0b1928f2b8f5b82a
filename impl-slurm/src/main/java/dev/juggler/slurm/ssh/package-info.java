/**
 * The SSH layer on JSch: {@link dev.juggler.slurm.ssh.SshConfig}, {@link dev.juggler.slurm.ssh.SshClient}
 * (one reused connection, bounded channels, automatic reconnect, verified host keys), and the single
 * quoting function {@link dev.juggler.slurm.ssh.ShellQuote} from which every remote command
 * ({@link dev.juggler.slurm.ssh.RemoteCommand}) is built.
 */
package dev.juggler.slurm.ssh;
