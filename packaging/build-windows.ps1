# Build the Windows one-folder app and zip it:
#   dist\pyinstaller\Newsdesk\Newsdesk.exe       (the desktop app, no console window)
#   dist\pyinstaller\Newsdesk\newsdesk-cli.exe   (the same program with a console, for subcommands)
#   dist\newsdesk-<version>-windows-x64.zip
#
# Usage (PowerShell): .\packaging\build-windows.ps1
#   Uses $env:PYTHON, else .venv\Scripts\python.exe, else a fresh build\venv with the project
#   installed. $env:SKIP_SELF_TEST = "1" skips the smoke test of the result.
$ErrorActionPreference = "Stop"

$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root

function Invoke-Checked {
    param([string]$Program, [string[]]$Arguments)
    & $Program @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Program $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

$Python = $env:PYTHON
if (-not $Python) {
    if (Test-Path "$Root\.venv\Scripts\python.exe") {
        $Python = "$Root\.venv\Scripts\python.exe"
    } else {
        Invoke-Checked "py" @("-3.11", "-m", "venv", "$Root\build\venv")
        $Python = "$Root\build\venv\Scripts\python.exe"
        Invoke-Checked $Python @("-m", "pip", "install", "--upgrade", "pip")
        Invoke-Checked $Python @("-m", "pip", "install", "$Root")
    }
}
& $Python -c "import PyInstaller" 2>$null
if ($LASTEXITCODE -ne 0) { Invoke-Checked $Python @("-m", "pip", "install", "pyinstaller>=6") }

$Version = (& $Python -c "import sys; sys.path.insert(0, 'packaging'); import bundle_metadata as m; print(m.project_version())").Trim()
$Zip = "$Root\dist\newsdesk-$Version-windows-x64.zip"
$App = "$Root\dist\pyinstaller\Newsdesk"

$Clock = [System.Diagnostics.Stopwatch]::StartNew()
Invoke-Checked $Python @("-m", "PyInstaller", "--noconfirm", "--clean",
    "--distpath", "$Root\dist\pyinstaller", "--workpath", "$Root\build\pyinstaller",
    "$Root\packaging\newsdesk.spec")

if (-not $env:SKIP_SELF_TEST) {
    $env:QT_QPA_PLATFORM = "offscreen"
    Invoke-Checked "$App\newsdesk-cli.exe" @("--self-test")
    Remove-Item Env:\QT_QPA_PLATFORM
}

if (Test-Path $Zip) { Remove-Item $Zip }
Compress-Archive -Path $App -DestinationPath $Zip
$Clock.Stop()
$SizeMb = [math]::Round(((Get-ChildItem $App -Recurse | Measure-Object Length -Sum).Sum / 1MB), 1)
Write-Host "Built $Zip in $([math]::Round($Clock.Elapsed.TotalSeconds)) s"
Write-Host "App folder: $SizeMb MB; zip: $([math]::Round((Get-Item $Zip).Length / 1MB, 1)) MB"
