using System.Globalization;
using System.Reflection;
using Executors.ProcessPool.Serialization;

namespace Executors.Tests.ProcessPool.Serialization;

public sealed class AssemblyGateTests
{
    [Fact]
    public void GetModule_AssemblyOutsideTrustedList_ThrowsInvalidDataException()
    {
        var gate = new AssemblyGate([typeof(object).Assembly.Location]);
        Module module = typeof(AssemblyGateTests).Module;

        var ex = Assert.Throws<InvalidDataException>(() => gate.GetModule(typeof(AssemblyGateTests).Assembly.GetName().Name!, Mvid(module)));

        Assert.Contains("not part of the parent application's dependency graph", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Executors.Tests", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetModule_EmptyTrustedList_RefusesEvenTheCoreLibrary()
    {
        var gate = new AssemblyGate([]);
        Module module = typeof(object).Module;

        var ex = Assert.Throws<InvalidDataException>(() => gate.GetModule(typeof(object).Assembly.GetName().Name!, Mvid(module)));

        Assert.Contains("not part of the parent application's dependency graph", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetModule_TrustedAssemblyWithMatchingMvid_ReturnsItsModule()
    {
        Module module = typeof(AssemblyGateTests).Module;
        var gate = new AssemblyGate([typeof(AssemblyGateTests).Assembly.Location]);

        Module found = gate.GetModule("Executors.Tests", Mvid(module));

        Assert.Equal(module, found);
    }

    [Fact]
    public void GetModule_NameDiffersOnlyInCase_IsTrusted()
    {
        Module module = typeof(AssemblyGateTests).Module;
        var gate = new AssemblyGate([typeof(AssemblyGateTests).Assembly.Location.ToUpperInvariant()]);

        Module found = gate.GetModule("executors.tests", Mvid(module).ToUpperInvariant());

        Assert.Equal(module, found);
    }

    [Fact]
    public void GetModule_TrustedAssemblyWithOtherMvid_ThrowsInvalidDataExceptionNotTheParents()
    {
        var gate = new AssemblyGate([typeof(AssemblyGateTests).Assembly.Location]);

        var ex = Assert.Throws<InvalidDataException>(() => gate.GetModule("Executors.Tests", Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)));

        Assert.Contains("not the parent's", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForCurrentProcess_Always_TrustsTheTestAssemblyAndItsDependencies()
    {
        AssemblyGate gate = AssemblyGate.ForCurrentProcess();

        Module tests = gate.GetModule("Executors.Tests", Mvid(typeof(AssemblyGateTests).Module));
        Module library = gate.GetModule("Executors", Mvid(typeof(ProcessPoolExecutor).Module));
        Module core = gate.GetModule(typeof(object).Assembly.GetName().Name!, Mvid(typeof(object).Module));

        Assert.Equal(typeof(AssemblyGateTests).Module, tests);
        Assert.Equal(typeof(ProcessPoolExecutor).Module, library);
        Assert.Equal(typeof(object).Module, core);
    }

    [Fact]
    public void ForCurrentProcess_UnknownAssemblyName_ThrowsInvalidDataException()
    {
        AssemblyGate gate = AssemblyGate.ForCurrentProcess();

        var ex = Assert.Throws<InvalidDataException>(() => gate.GetModule("Surely.Not.A.Dependency", Guid.Empty.ToString("N", CultureInfo.InvariantCulture)));

        Assert.Contains("not part of the parent application's dependency graph", ex.Message, StringComparison.Ordinal);
    }

    private static string Mvid(Module module) => module.ModuleVersionId.ToString("N", CultureInfo.InvariantCulture);
}
