document.getElementById('app')!.textContent = 'Tekton';
