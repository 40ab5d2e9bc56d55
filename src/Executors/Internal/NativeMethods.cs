using System.Runtime.InteropServices;

namespace Executors.Internal;

/// <summary>The few POSIX calls .NET does not expose: the parent pid (orphan watchdog) and SIGTERM (graceful terminate).</summary>
internal static partial class NativeMethods
{
    /// <summary>SIGTERM on Linux and macOS.</summary>
    public const int SigTerm = 15;

    /// <summary>Linux <c>F_SETPIPE_SZ</c>: set a pipe's buffer size; returns the size set.</summary>
    public const int SetPipeSize = 1031;

    /// <summary>Linux <c>F_GETPIPE_SZ</c>: get a pipe's buffer size.</summary>
    public const int GetPipeSize = 1032;

    /// <summary>Calls <c>fcntl(fd, cmd, arg)</c> (Linux).</summary>
    /// <returns>The result, or -1 on failure.</returns>
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    public static partial int Fcntl(int fd, int cmd, int arg);

    /// <summary>Returns the parent process id (POSIX <c>getppid</c>).</summary>
    [LibraryImport("libc", EntryPoint = "getppid")]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    public static partial int GetParentProcessId();

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (POSIX <c>kill</c>).</summary>
    /// <returns>0 on success, -1 on failure.</returns>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [UnmanagedCallConv(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    public static partial int Kill(int pid, int signal);
}
