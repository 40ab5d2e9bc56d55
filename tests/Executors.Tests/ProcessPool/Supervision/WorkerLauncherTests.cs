using Executors.ProcessPool.Supervision;

namespace Executors.Tests.ProcessPool.Supervision;

/// <summary>
/// How <see cref="WorkerLauncher"/> finds the app's deps file, runtime configuration and worker host,
/// and what it tells the user when one is missing (docs/design/0007). Each case lays out a fake app
/// folder in a temporary directory.
/// </summary>
public sealed class WorkerLauncherTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "executors-launcher-" + Guid.NewGuid().ToString("N"));
    private readonly string _app;
    private readonly string _library;

    public WorkerLauncherTests()
    {
        _app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        _library = Directory.CreateDirectory(Path.Combine(_root, "library")).FullName;
    }

    private string DepsFile => Path.Combine(_app, "App.deps.json");

    private string RuntimeConfig => Path.Combine(_app, "App.runtimeconfig.json");

    private string ExecutorsLocation => Path.Combine(_library, "Executors.dll");

    [Fact]
    public void Current_InThisTestRun_FindsTheWorkerHostInTheOutputFolder()
    {
        // The test project references only src/Executors: the worker host must arrive with it.
        WorkerLauncher launcher = WorkerLauncher.Current;

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, ProcessPoolConstants.WorkerAssemblyFileName), launcher.WorkerPath);
        Assert.True(File.Exists(launcher.WorkerPath));
    }

    [Fact]
    public void FindFiles_AppFolderWithWorker_ReturnsDepsRuntimeConfigAndWorker()
    {
        string worker = Touch(Path.Combine(_app, ProcessPoolConstants.WorkerAssemblyFileName));
        Touch(DepsFile);
        Touch(RuntimeConfig);

        (string deps, string runtimeConfig, string found) = WorkerLauncher.FindFiles(DepsFile + ";/usr/share/dotnet/other.deps.json", ExecutorsLocation, _app);

        Assert.Equal(DepsFile, deps);
        Assert.Equal(RuntimeConfig, runtimeConfig);
        Assert.Equal(worker, found);
    }

    [Fact]
    public void FindFiles_WorkerOnlyBesideExecutors_FindsItThere()
    {
        string worker = Touch(Path.Combine(_library, ProcessPoolConstants.WorkerAssemblyFileName));
        Touch(DepsFile);
        Touch(RuntimeConfig);

        (_, _, string found) = WorkerLauncher.FindFiles(DepsFile, ExecutorsLocation, _app);

        Assert.Equal(worker, found);
    }

    [Fact]
    public void FindFiles_NoWorker_ThrowsNamingBothFoldersAndWhereTheWorkerComesFrom()
    {
        Touch(DepsFile);
        Touch(RuntimeConfig);

        var ex = Assert.Throws<PlatformNotSupportedException>(() => WorkerLauncher.FindFiles(DepsFile, ExecutorsLocation, _app));

        Assert.Contains(ProcessPoolConstants.WorkerAssemblyFileName, ex.Message, StringComparison.Ordinal);
        Assert.Contains(_app, ex.Message, StringComparison.Ordinal);
        Assert.Contains(_library, ex.Message, StringComparison.Ordinal);
        Assert.Contains("lib/net10.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindFiles_SingleFileOrAot_ThrowsSayingToPublishToAFolder()
    {
        // In a single-file or native AOT app, Assembly.Location is empty, even when deps data exists.
        Touch(DepsFile);
        Touch(RuntimeConfig);
        Touch(Path.Combine(_app, ProcessPoolConstants.WorkerAssemblyFileName));

        var ex = Assert.Throws<PlatformNotSupportedException>(() => WorkerLauncher.FindFiles(DepsFile, string.Empty, _app));

        Assert.Contains("PublishSingleFile", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet publish -o", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindFiles_NoDepsData_ThrowsSayingHowToRunTheApp()
    {
        var ex = Assert.Throws<PlatformNotSupportedException>(() => WorkerLauncher.FindFiles(null, ExecutorsLocation, _app));

        Assert.Contains(".deps.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet publish", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindFiles_NoRuntimeConfig_ThrowsNamingTheExpectedFile()
    {
        Touch(DepsFile);

        var ex = Assert.Throws<PlatformNotSupportedException>(() => WorkerLauncher.FindFiles(DepsFile, ExecutorsLocation, _app));

        Assert.Contains(RuntimeConfig, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Touch(string path)
    {
        File.WriteAllText(path, string.Empty);
        return path;
    }
}
