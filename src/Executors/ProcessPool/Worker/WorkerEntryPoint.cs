using System.Globalization;
using Executors.Internal;
using Executors.ProcessPool.Protocol;
using Executors.ProcessPool.Serialization;
using Microsoft.Win32.SafeHandles;

namespace Executors.ProcessPool.Worker;

/// <summary>
/// The worker process's entry, called by <c>Executors.Worker</c>'s <c>Main</c>. Opens the two
/// inherited pipe handles, starts the orphan watchdog, and runs the <see cref="WorkerLoop"/>.
/// </summary>
internal static class WorkerEntryPoint
{
    /// <summary>Runs the worker until the parent says Shutdown, closes the pipe, or dies.</summary>
    /// <param name="args"><c>--in HANDLE --out HANDLE --parent PID --protocol VERSION [--gil OPTIONS]</c>.</param>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args)
    {
        if (!TryParse(args, out string? inHandle, out string? outHandle, out int parentPid, out int protocol, out GilOptions? gilOptions))
        {
            Console.Error.WriteLine("Executors.Worker: this program is started by ProcessPoolExecutor; it cannot be run by hand.");
            return 64;
        }

        if (protocol != ProcessPoolConstants.ProtocolVersion)
        {
            // Still answer: the Hello carries our version, and the parent reports the mismatch.
            Console.Error.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Executors.Worker: the parent speaks protocol {protocol}, this worker speaks {ProcessPoolConstants.ProtocolVersion}."));
        }

        StartParentWatchdog(parentPid);
        using FileStream input = OpenPipe(inHandle!, FileAccess.Read);
        using FileStream output = OpenPipe(outHandle!, FileAccess.Write);
        // E4 of the GIL model: with WorkerGil this process is one interpreter with its own lock, held by
        // the thread that runs a task; the parent's lock, if any, is independent.
        GlobalInterpreterLock? gil = gilOptions is null ? null : new GlobalInterpreterLock(gilOptions);
        var loop = new WorkerLoop(input, output, new WorkerPlanCache(AssemblyGate.ForCurrentProcess()), exitNow: Environment.Exit, gil: gil);
        return loop.Run();
    }

    /// <summary>
    /// Opens an inherited pipe handle as an unbuffered <see cref="FileStream"/> (plain read and write
    /// calls). Not an <c>AnonymousPipeClientStream</c>: on Unix that one goes through
    /// <c>System.Net.Sockets</c>, whose first use loads the assembly and starts its event loop thread,
    /// about 15 ms of each worker's start-up here (docs/design/0010).
    /// </summary>
    private static FileStream OpenPipe(string handle, FileAccess access) =>
        new(new SafeFileHandle((nint)ParseHandle(handle), ownsHandle: true), access, bufferSize: 0);

    /// <summary>Reads a handle number that <see cref="TryParse"/> already accepted.</summary>
    private static long ParseHandle(string handle) => CultureFreeParse.TryParseInt64(handle, out long value) ? value : -1;

    private static bool TryParse(string[] args, out string? inHandle, out string? outHandle, out int parentPid, out int protocol, out GilOptions? gilOptions)
    {
        inHandle = outHandle = null;
        parentPid = protocol = 0;
        gilOptions = null;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            string value = args[i + 1];
            switch (args[i])
            {
                case "--in":
                    inHandle = value;
                    break;
                case "--out":
                    outHandle = value;
                    break;
                case "--parent":
                    _ = CultureFreeParse.TryParseInt32(value, out parentPid);
                    break;
                case WorkerGilArguments.Switch:
                    if (!WorkerGilArguments.TryParse(value, out gilOptions))
                    {
                        return false;
                    }

                    break;
                case "--protocol":
                    _ = CultureFreeParse.TryParseInt32(value, out protocol);
                    break;
            }
        }

        return CultureFreeParse.TryParseInt64(inHandle, out _) && CultureFreeParse.TryParseInt64(outHandle, out _) && parentPid > 0;
    }

    /// <summary>
    /// Exits if the parent goes away while a long task keeps the loop from seeing EOF on its pipe
    /// (and in case a stray inherited copy of the pipe keeps it open): no orphan outlives its parent.
    /// </summary>
    private static void StartParentWatchdog(int parentPid)
    {
        var watchdog = new Thread(() =>
        {
            if (OperatingSystem.IsWindows())
            {
                try
                {
                    using var parent = System.Diagnostics.Process.GetProcessById(parentPid);
                    parent.WaitForExit();
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }

                Environment.Exit(ProcessPoolConstants.OrphanedExitCode);
            }

            while (true)
            {
                Thread.Sleep(ProcessPoolConstants.ParentWatchInterval);

                // Re-parenting (to init or a subreaper) is how POSIX says the parent died.
                if (NativeMethods.GetParentProcessId() != parentPid)
                {
                    Environment.Exit(ProcessPoolConstants.OrphanedExitCode);
                }
            }
        })
        {
            IsBackground = true,
            Name = "Executors.Worker parent watchdog",
        };
        watchdog.Start();
    }
}
