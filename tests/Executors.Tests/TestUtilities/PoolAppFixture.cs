using System.Diagnostics;
using System.Text;

namespace Executors.Tests.TestUtilities;

/// <summary>
/// Builds, once per test class, a small console app that uses <see cref="ProcessPoolExecutor"/> the
/// way a user's app does: its own project in a temporary directory, with one reference, to
/// <c>src/Executors</c> by absolute path (which brings the worker host along). It is built with
/// <c>dotnet build</c> (framework-dependent dll plus apphost) and published with <c>dotnet publish</c>.
/// </summary>
/// <remarks>
/// <para>
/// Everything lives under one temporary directory, deleted at the end: an empty
/// <c>Directory.Build.props</c> stops MSBuild from importing the repository's (and so central package
/// management, which the app switches off), and <c>--artifacts-path</c> keeps every project's
/// <c>obj</c> and <c>bin</c> there too, so the repository's own build outputs are never touched.
/// Builds run without node reuse or the shared compiler server, so no build process outlives them.
/// </para>
/// <para>
/// App modes: <c>run</c> submits a static method and a capturing lambda defined in the app, prints
/// <c>static=49</c>, <c>lambda=42</c> and <c>other-process=True</c>, and exits 0; <c>orphan</c>
/// starts two workers that print <c>worker PID</c> and sleep, prints <c>parent PID</c>, and waits
/// forever (the test kills it).
/// </para>
/// </remarks>
public sealed class PoolAppFixture : IDisposable
{
    /// <summary>The app's name: its project, dll and apphost.</summary>
    public const string AppName = "PoolApp";

    /// <summary>Builds take about 10-30 s alone; on a loaded 2-core machine, several times that.</summary>
    private static readonly TimeSpan s_buildTimeout = TimeSpan.FromMinutes(10);

    private const string ProjectText = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <!-- The empty Directory.Build.props beside this project hides the repository's central versions. -->
            <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
          </PropertyGroup>
          <ItemGroup>
            <ProjectReference Include="$(ExecutorsProject)" />
          </ItemGroup>
        </Project>
        """;

    private const string ProgramText = """
        using Executors;

        namespace PoolApp;

        internal static class Program
        {
            private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

            private static int Main(string[] args) => (args.Length > 0 ? args[0] : "run") switch
            {
                "run" => Run(),
                "orphan" => Orphan(),
                _ => 64,
            };

            internal static int Square(int x) => x * x;

            private static int Run()
            {
                using var executor = new ProcessPoolExecutor(2);
                int square = executor.Submit(Square, 7).GetResult(Timeout);
                int offset = 40;
                int sum = executor.Submit(x => x + offset, 2).GetResult(Timeout);
                int workerPid = executor.Submit(static () => Environment.ProcessId).GetResult(Timeout);
                Console.WriteLine($"static={square}");
                Console.WriteLine($"lambda={sum}");
                Console.WriteLine($"other-process={workerPid != Environment.ProcessId}");
                return 0;
            }

            private static int Orphan()
            {
                // Never disposed: the test kills this process while the tasks sleep.
                var executor = new ProcessPoolExecutor(2);
                for (int i = 0; i < 2; i++)
                {
                    executor.Submit(static () =>
                    {
                        Console.WriteLine($"worker {Environment.ProcessId}");
                        Thread.Sleep(TimeSpan.FromMinutes(10));
                    });
                }

                Console.WriteLine($"parent {Environment.ProcessId}");
                Thread.Sleep(System.Threading.Timeout.Infinite);
                return 0;
            }
        }
        """;

    private readonly string _root;

    public PoolAppFixture()
    {
        string repositoryRoot = FindRepositoryRoot();
        _root = Path.Combine(Path.GetTempPath(), "executors-poolapp-" + Guid.NewGuid().ToString("N"));
        string projectDirectory = Path.Combine(_root, AppName);
        Directory.CreateDirectory(projectDirectory);
        try
        {
            File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project />\n");

            // The repository's NuGet sources and SDK pin apply to the app too.
            File.Copy(Path.Combine(repositoryRoot, "nuget.config"), Path.Combine(_root, "nuget.config"));
            File.Copy(Path.Combine(repositoryRoot, "global.json"), Path.Combine(_root, "global.json"));
            string project = Path.Combine(projectDirectory, AppName + ".csproj");
            File.WriteAllText(
                project,
                ProjectText.Replace("$(ExecutorsProject)", Path.Combine(repositoryRoot, "src", "Executors", "Executors.csproj"), StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(projectDirectory, "Program.cs"), ProgramText);

            string artifacts = Path.Combine(_root, "artifacts");
            string[] quiet = ["--artifacts-path", artifacts, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-nologo"];
            RunDotnetOrThrow(["build", project, "-c", "Debug", .. quiet]);
            PublishDirectory = Path.Combine(_root, "publish");
            RunDotnetOrThrow(["publish", project, "-c", "Debug", "-o", PublishDirectory, .. quiet]);

            BuildDirectory = Path.Combine(artifacts, "bin", AppName, "debug");
            AppDll = Path.Combine(BuildDirectory, AppName + ".dll");
            AppHost = Path.Combine(BuildDirectory, OperatingSystem.IsWindows() ? AppName + ".exe" : AppName);
            PublishedDll = Path.Combine(PublishDirectory, AppName + ".dll");
            foreach (string file in new[] { AppDll, AppHost, Path.Combine(BuildDirectory, LeakAssertions.WorkerProgram), PublishedDll, Path.Combine(PublishDirectory, LeakAssertions.WorkerProgram) })
            {
                if (!File.Exists(file))
                {
                    throw new InvalidOperationException($"The app build did not produce '{file}'.");
                }
            }
        }
        catch
        {
            DeleteRoot();
            throw;
        }
    }

    /// <summary>Gets the <c>dotnet build</c> output folder.</summary>
    public string BuildDirectory { get; }

    /// <summary>Gets the framework-dependent app, run as <c>dotnet PoolApp.dll</c>.</summary>
    public string AppDll { get; }

    /// <summary>Gets the apphost beside <see cref="AppDll"/>.</summary>
    public string AppHost { get; }

    /// <summary>Gets the <c>dotnet publish</c> output folder.</summary>
    public string PublishDirectory { get; }

    /// <summary>Gets the published app's dll.</summary>
    public string PublishedDll { get; }

    /// <summary>Gets the <c>dotnet</c> host that runs the tests (the muxer), to run the app and the builds with.</summary>
    public static string DotnetHost
    {
        get
        {
            string hostName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
            if (Environment.ProcessPath is { } path && string.Equals(Path.GetFileName(path), hostName, StringComparison.OrdinalIgnoreCase))
            {
                return path;
            }

            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath ? hostPath : hostName;
        }
    }

    /// <summary>
    /// Returns start information for a program with the environment a user's shell would give it:
    /// without the variables that <c>dotnet test</c> and MSBuild set for the test host (which would
    /// steer nested builds, and would hand the app a <c>DOTNET_HOST_PATH</c> that a real app does not have).
    /// </summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>Start information with stdout and stderr redirected.</returns>
    public static ProcessStartInfo CreateStartInfo(string fileName, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string name in info.Environment.Keys.ToArray())
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("_MSBUILD", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(name);
            }
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        return info;
    }

    /// <summary>Runs a program to its end within <paramref name="timeout"/>; on timeout kills it (and its children) and throws.</summary>
    /// <param name="info">What to run (from <see cref="CreateStartInfo"/>).</param>
    /// <param name="timeout">How long it may take.</param>
    /// <returns>Its exit code and its stdout and stderr.</returns>
    public static (int ExitCode, string Output, string Error) Run(ProcessStartInfo info, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(info);
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{info.FileName}'.");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TestTimeouts.Unexpected);
            throw new TimeoutException($"'{info.FileName} {string.Join(' ', info.ArgumentList)}' did not finish within {timeout}.");
        }

        // The streams close with the process, unless a grandchild still holds them: bound that too.
        Task.WaitAll([output, error], TestTimeouts.Unexpected);
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <inheritdoc/>
    public void Dispose() => DeleteRoot();

    private static string FindRepositoryRoot()
    {
        // The test assembly sits in tests/Executors.Tests/bin/<configuration>/<framework>/.
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "src", "Executors", "Executors.csproj"))
                && File.Exists(Path.Combine(directory.FullName, "src", "Executors.Worker", "Executors.Worker.csproj")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root (with src/Executors/Executors.csproj) above '{AppContext.BaseDirectory}'.");
    }

    private static void RunDotnetOrThrow(string[] arguments)
    {
        (int exitCode, string output, string error) = Run(CreateStartInfo(DotnetHost, arguments), s_buildTimeout);
        if (exitCode != 0)
        {
            var message = new StringBuilder()
                .Append("dotnet ").Append(string.Join(' ', arguments)).Append(" exited with code ").Append(exitCode).AppendLine(":")
                .AppendLine(output)
                .AppendLine(error);
            throw new InvalidOperationException(message.ToString());
        }
    }

    private void DeleteRoot()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort: a temp folder.
        }
    }
}
