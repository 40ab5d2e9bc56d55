using System.Diagnostics;
using System.Globalization;
using System.IO.Pipes;
using System.Runtime.InteropServices;
using Executors.Internal;
using Microsoft.Win32.SafeHandles;

namespace Executors.ProcessPool.Supervision;

/// <summary>
/// Finds how to start a worker process that loads the parent's own dependency graph, and starts it
/// (docs/design/0004, "The worker host"): <c>dotnet exec --runtimeconfig R --depsfile D Executors.Worker.dll</c>.
/// </summary>
internal sealed class WorkerLauncher
{
    /// <summary>
    /// Serializes worker starts: on Unix an inheritable pipe end leaks into every child started while
    /// it exists, so worker B must not start while worker A's client ends are still open here.
    /// </summary>
    private static readonly Lock s_startLock = new();

    private static readonly Lazy<WorkerLauncher> s_current = new(Discover);

    /// <summary>The pipe buffer asked for on Linux: 1 MiB, the default <c>/proc/sys/fs/pipe-max-size</c>.</summary>
    private const int PipeBufferSize = 1 << 20;

    /// <summary>The capacity assumed where it cannot be asked: a page, the smallest pipe buffer Linux gives (Windows' default is about as small).</summary>
    private const int MinimumPipeCapacity = 4096;

    /// <summary>Arguments appended to every worker's command line (the worker's GIL options).</summary>
    private readonly string[] _extraArguments;

    private WorkerLauncher(string hostPath, string runtimeConfigPath, string depsFilePath, string workerPath, string[]? extraArguments = null)
    {
        HostPath = hostPath;
        RuntimeConfigPath = runtimeConfigPath;
        DepsFilePath = depsFilePath;
        WorkerPath = workerPath;
        _extraArguments = extraArguments ?? [];
    }

    /// <summary>Gets the <c>dotnet</c> host that runs the worker.</summary>
    public string HostPath { get; }

    /// <summary>Gets the parent's runtime configuration, which the worker runs with.</summary>
    public string RuntimeConfigPath { get; }

    /// <summary>Gets the parent's dependency manifest, which the worker resolves assemblies with.</summary>
    public string DepsFilePath { get; }

    /// <summary>Gets the worker program.</summary>
    public string WorkerPath { get; }

    /// <summary>Gets the launcher for this process.</summary>
    /// <exception cref="PlatformNotSupportedException">This process cannot start workers; the message says why and what to do.</exception>
    public static WorkerLauncher Current => s_current.Value;

    /// <summary>Returns a launcher that starts workers the same way, with <paramref name="arguments"/> appended to their command line.</summary>
    public WorkerLauncher WithExtraArguments(params string[] arguments) =>
        new(HostPath, RuntimeConfigPath, DepsFilePath, WorkerPath, [.. _extraArguments, .. arguments]);

    /// <summary>
    /// Starts a worker and returns it with the parent's ends of its two pipes, and how many bytes the
    /// pipe to the worker holds (a write of what fits cannot block).
    /// </summary>
    public (Process Process, Stream ToWorker, Stream FromWorker, int ToWorkerCapacity) Start()
    {
        lock (s_startLock)
        {
            var toWorker = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
            var fromWorker = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
            int toWorkerCapacity = EnlargePipeBuffer(toWorker);
            _ = EnlargePipeBuffer(fromWorker);
            try
            {
                var info = new ProcessStartInfo(HostPath)
                {
                    UseShellExecute = false,
                    WorkingDirectory = Environment.CurrentDirectory,
                };
                // Keep memory the GC frees committed for reuse: on this kind of VM a fresh page costs
                // ~14 µs to fault in, which dominated large-payload throughput. Users' own settings win.
                SetDefault(info, "DOTNET_GCRetainVM", "1");


                info.ArgumentList.Add("exec");
                info.ArgumentList.Add("--runtimeconfig");
                info.ArgumentList.Add(RuntimeConfigPath);
                info.ArgumentList.Add("--depsfile");
                info.ArgumentList.Add(DepsFilePath);
                info.ArgumentList.Add(WorkerPath);
                info.ArgumentList.Add("--in");
                info.ArgumentList.Add(toWorker.GetClientHandleAsString());
                info.ArgumentList.Add("--out");
                info.ArgumentList.Add(fromWorker.GetClientHandleAsString());
                info.ArgumentList.Add("--parent");
                info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                info.ArgumentList.Add("--protocol");
                info.ArgumentList.Add(ProcessPoolConstants.ProtocolVersion.ToString(CultureInfo.InvariantCulture));
                foreach (string argument in _extraArguments)
                {
                    info.ArgumentList.Add(argument);
                }

                Process process = Process.Start(info)
                    ?? throw new InvalidOperationException($"Could not start the worker process '{HostPath}'.");
                return (process, Detach(toWorker, FileAccess.Write), Detach(fromWorker, FileAccess.Read), toWorkerCapacity);
            }
            catch
            {
                toWorker.Dispose();
                fromWorker.Dispose();
                throw;
            }
            finally
            {
                // The child has its copies now (or never will); ours would keep the pipes open after it dies.
                toWorker.DisposeLocalCopyOfClientHandle();
                fromWorker.DisposeLocalCopyOfClientHandle();
            }
        }
    }

    /// <summary>
    /// On Linux, grows a pipe's buffer from 64 KiB to 1 MiB (the default pipe-max-size): a 1 MiB
    /// argument then crosses in one write instead of sixteen writer/reader hand-offs. Best effort.
    /// </summary>
    /// <returns>The pipe's capacity: what Linux reports, or a conservative 4 KiB elsewhere.</returns>
    private static int EnlargePipeBuffer(AnonymousPipeServerStream pipe)
    {
        if (!OperatingSystem.IsLinux())
        {
            return MinimumPipeCapacity;
        }

        bool added = false;
        try
        {
            pipe.SafePipeHandle.DangerousAddRef(ref added);
            int fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
            int size = Internal.NativeMethods.Fcntl(fd, Internal.NativeMethods.SetPipeSize, PipeBufferSize);
            if (size <= 0)
            {
                // Not enlarged (a per-user pipe quota, an old kernel): use what it has.
                size = Internal.NativeMethods.Fcntl(fd, Internal.NativeMethods.GetPipeSize, 0);
            }

            return Math.Max(size, MinimumPipeCapacity);
        }
        finally
        {
            if (added)
            {
                pipe.SafePipeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Moves the parent's end of a pipe into an unbuffered <see cref="FileStream"/> that owns it (plain
    /// read and write calls; the pipe object gives its handle up without closing it). On Unix a
    /// <see cref="PipeStream"/> reads and writes through <c>System.Net.Sockets</c>, a longer path per
    /// call on the parent's busiest threads (docs/design/0010).
    /// </summary>
    private static FileStream Detach(AnonymousPipeServerStream pipe, FileAccess access)
    {
        SafePipeHandle handle = pipe.SafePipeHandle;
        var owned = new SafeFileHandle(handle.DangerousGetHandle(), ownsHandle: true);
        handle.SetHandleAsInvalid();
        return new FileStream(owned, access, bufferSize: 0);
    }

    private static void SetDefault(ProcessStartInfo info, string name, string value)
    {
        if (Environment.GetEnvironmentVariable(name) is null)
        {
            info.Environment[name] = value;
        }
    }

    /// <summary>
    /// Finds the deps file, runtime configuration and worker program of an application, or says why
    /// it cannot start workers and what to do instead.
    /// </summary>
    /// <param name="depsFiles">The host's <c>APP_CONTEXT_DEPS_FILES</c>: the app's deps file first, then the frameworks', joined with ';'.</param>
    /// <param name="executorsLocation">Where Executors.dll was loaded from: empty when it is bundled in a single-file app or compiled into a native AOT one.</param>
    /// <param name="appBaseDirectory">The app's folder (<see cref="AppContext.BaseDirectory"/>).</param>
    /// <returns>The three paths.</returns>
    /// <exception cref="PlatformNotSupportedException">One of them is missing; the message says what to do.</exception>
    public static (string DepsFile, string RuntimeConfig, string Worker) FindFiles(string? depsFiles, string executorsLocation, string appBaseDirectory)
    {
        // Single-file and native AOT first: their deps data may still name a file, but no assembly is
        // on disk for a second process to load.
        if (string.IsNullOrEmpty(executorsLocation))
        {
            throw ThrowHelper.CreateWorkerHostSingleFile();
        }

        // The host joins deps files with ';' on every OS (unlike the TPA list, which uses the path separator).
        string? deps = depsFiles?
            .Split(';', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault();
        if (deps is null || !File.Exists(deps))
        {
            throw ThrowHelper.CreateWorkerHostNoDepsFile(deps);
        }

        string runtimeConfig = deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)
            ? string.Concat(deps.AsSpan(0, deps.Length - ".deps.json".Length), ".runtimeconfig.json")
            : string.Empty;
        if (!File.Exists(runtimeConfig))
        {
            throw ThrowHelper.CreateWorkerHostNoRuntimeConfig(deps, runtimeConfig);
        }

        string executorsDirectory = Path.GetDirectoryName(executorsLocation) ?? string.Empty;
        string? worker = new[]
            {
                Path.Combine(appBaseDirectory, ProcessPoolConstants.WorkerAssemblyFileName),
                Path.Combine(executorsDirectory, ProcessPoolConstants.WorkerAssemblyFileName),
            }
            .FirstOrDefault(File.Exists)
            ?? throw ThrowHelper.CreateWorkerHostMissing(appBaseDirectory, executorsDirectory);

        return (deps, runtimeConfig, worker);
    }

    private static WorkerLauncher Discover()
    {
        (string deps, string runtimeConfig, string worker) = FindFiles(
            AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string,
            typeof(WorkerLauncher).Assembly.Location,
            AppContext.BaseDirectory);
        string host = FindHost() ?? throw ThrowHelper.CreateWorkerHostNoDotnet();
        return new WorkerLauncher(host, runtimeConfig, deps, worker);
    }

    private static string? FindHost()
    {
        string hostName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } processPath
            && string.Equals(Path.GetFileName(processPath), hostName, StringComparison.OrdinalIgnoreCase))
        {
            return processPath;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // The shared runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; the host is <root>/dotnet.
        string runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        DirectoryInfo? root = new DirectoryInfo(runtimeDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Parent?.Parent;
        if (root is not null && File.Exists(Path.Combine(root.FullName, hostName)))
        {
            return Path.Combine(root.FullName, hostName);
        }

        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, hostName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
