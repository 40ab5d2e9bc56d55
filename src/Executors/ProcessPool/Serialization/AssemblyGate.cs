using System.Globalization;
using System.Reflection;

namespace Executors.ProcessPool.Serialization;

/// <summary>
/// The worker's gatekeeper for code named in a payload: it loads an assembly only if it belongs to
/// the parent's dependency graph (the trusted platform assemblies the host built from the parent's
/// deps.json), and only if its module is byte-for-byte the parent's (same MVID).
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
internal sealed class AssemblyGate
{
    private readonly HashSet<string> _trustedAssemblyNames;
    /// <summary>
    /// Modules already admitted, keyed by "assembly/mvid"; guarded by itself. A plain dictionary of
    /// strings rather than a concurrent one keyed by a tuple: that generic instantiation is not
    /// precompiled in the framework, and compiling it cost every worker's first task a few ms.
    /// </summary>
    private readonly Dictionary<string, Module> _modules = new(StringComparer.Ordinal);

    /// <summary>Initializes a gate over the trusted assembly paths of this process.</summary>
    /// <param name="trustedAssemblyPaths">Paths of every assembly the process may load (its TPA list).</param>
    public AssemblyGate(IEnumerable<string> trustedAssemblyPaths)
    {
        _trustedAssemblyNames = new HashSet<string>(
            trustedAssemblyPaths.Select(Path.GetFileNameWithoutExtension).OfType<string>(),
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Gets a gate over this process's TPA list (<c>TRUSTED_PLATFORM_ASSEMBLIES</c>).</summary>
    public static AssemblyGate ForCurrentProcess()
    {
        string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        return new AssemblyGate(tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Returns the module with the given MVID of a trusted assembly.</summary>
    /// <exception cref="InvalidDataException">The assembly is not in the parent's graph, or the worker's copy differs.</exception>
    public Module GetModule(string assemblyName, string mvid)
    {
        string key = string.Concat(assemblyName, "/", mvid);
        lock (_modules)
        {
            if (!_modules.TryGetValue(key, out Module? module))
            {
                // Loaded under the lock: two threads asking for one assembly load it once.
                module = Load(assemblyName, mvid);
                _modules.Add(key, module);
            }

            return module;
        }
    }

    private Module Load(string assemblyName, string mvid)
    {
        if (!_trustedAssemblyNames.Contains(assemblyName))
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Refusing to load '{assemblyName}': it is not part of the parent application's dependency graph."));
        }

        Assembly assembly = Assembly.Load(new AssemblyName(assemblyName));

        // Compared as Guids, not formatted strings: formatting with a culture would load ICU in every
        // worker (docs/design/0010). A malformed id matches no module.
        if (Guid.TryParseExact(mvid, "N", out Guid expected))
        {
            foreach (Module module in assembly.GetModules())
            {
                if (module.ModuleVersionId == expected)
                {
                    return module;
                }
            }
        }

        throw new InvalidDataException(string.Create(
            CultureInfo.InvariantCulture,
            $"The worker's copy of '{assemblyName}' ({assembly.Location}) is not the parent's (module version id {mvid}); rebuild so that both load the same file."));
    }
}
